import { randomToken } from '../crypto/random';
import type { AppContext } from '../http/context';
import { s256 } from '../oauth/pkce';
import { devHomePage } from '../views/dev-home-page';
import { renderPage } from '../views/page-response';

/** The dev seed's public app and API (scripts/dev-seed.sql); the loopback redirect matches any port. */
const DEMO = {
  clientId: 'demo-app',
  redirectUri: 'http://127.0.0.1/callback',
  scope: 'openid profile email offline_access read:items',
  audience: 'https://api.example.com',
} as const;
/** Where `npm run dev` serves unless EDGE_AUTH_URL or PORT says otherwise. */
const DEFAULT_DEV_URL = 'http://127.0.0.1:8787';

/**
 * GET /: under `npm run dev` only (config.devHomePage: the DEV_HOME_PAGE var and a loopback
 * issuer), a page to start from; everywhere else the JSON 404 of any unknown path.
 */
export async function devHome(c: AppContext): Promise<Response> {
  const { config } = c.var;
  if (!config.devHomePage) return c.notFound();
  // A new verifier per view, as an app makes per sign-in (RFC 7636 section 4.1).
  const codeVerifier = randomToken(32);
  const signInUrl = new URL(`${config.issuer}/authorize`);
  signInUrl.search = new URLSearchParams({
    client_id: DEMO.clientId,
    response_type: 'code',
    redirect_uri: DEMO.redirectUri,
    scope: DEMO.scope,
    audience: DEMO.audience,
    state: randomToken(16),
    nonce: randomToken(16),
    code_challenge: await s256(codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  return renderPage(c, 200, (nonce) =>
    devHomePage({
      nonce,
      issuer: config.issuer,
      signInUrl: signInUrl.href,
      clientId: DEMO.clientId,
      redirectUri: DEMO.redirectUri,
      codeVerifier,
      codeTtlSeconds: config.authorizationCodeTtlSeconds,
      commandPrefix: config.issuer === DEFAULT_DEV_URL ? '' : `EDGE_AUTH_URL=${config.issuer} `,
    }),
  );
}
