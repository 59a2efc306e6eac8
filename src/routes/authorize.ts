import type { Context } from 'hono';
import { auditorOf } from '../audit/audit-log';
import { getConfig } from '../config';
import { randomToken } from '../crypto/random';
import { findClientAndApis } from '../db/registry';
import { isUserActive } from '../db/users';
import type { ApiRow, ClientRow } from '../db/schema';
import { OAuthError, UntrustedRedirectError } from '../errors/oauth-error';
import { parseAuthorizationRequest, parsePrompt, requestedAudience } from '../oauth/authorization-request';
import { MAX_PARAM_LENGTH, singleValuedParams } from '../oauth/params';
import { matchRedirectUri, withQuery } from '../oauth/redirect-uri';
import { renderErrorPage } from '../views/page-response';
import { approve, needsConsent } from './approval';
import { redirectToApp } from './authorization-response';
import { setLoginRequestCookie } from './login-request-cookie';
import { currentSession } from './session-cookie';

type AppContext = Context<{ Bindings: Env }>;

/** The one value of a parameter that decides where errors may go; repeated or oversized means untrusted. */
function soleParam(url: URL, name: string): string {
  const values = url.searchParams.getAll(name);
  if (values.length !== 1 || values[0] === '' || values[0]!.length > MAX_PARAM_LENGTH) {
    throw new UntrustedRedirectError(`The request must carry exactly one valid ${name}.`);
  }
  return values[0]!;
}

/** Step one: until client and redirect URI are known, nothing may be redirected (RFC 6749 section 4.1.2.1). */
async function trustedRedirect(c: AppContext, url: URL): Promise<{ client: ClientRow; redirectUri: string; apis: ApiRow[] }> {
  const { client, apis } = await findClientAndApis(c.env, soleParam(url, 'client_id'));
  if (!client) throw new UntrustedRedirectError('The app that sent you here is not registered.');
  // Kept as requested: a loopback redirect keeps the port the app listens on.
  const redirectUri = soleParam(url, 'redirect_uri');
  if (!matchRedirectUri(redirectUri, client.redirectUris)) {
    throw new UntrustedRedirectError('The app asked to return to an address it has not registered.');
  }
  return { client, redirectUri, apis };
}

/** Error responses go back to the client with `iss` (RFC 9207) and the state it sent. */
function redirectError(c: AppContext, redirectUri: string, url: URL, error: OAuthError): Response {
  const states = url.searchParams.getAll('state');
  const location = withQuery(redirectUri, {
    error: error.code,
    error_description: error.description,
    state: states.length === 1 && states[0]!.length <= MAX_PARAM_LENGTH ? states[0] : undefined,
    iss: getConfig(c.env).issuer,
  });
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  return c.redirect(location, 302);
}

/** GET /authorize: RFC 6749 section 4.1.1 with PKCE (RFC 7636), `audience` and `nonce`. */
export async function authorize(c: AppContext): Promise<Response> {
  const url = new URL(c.req.url);
  let trusted: { client: ClientRow; redirectUri: string; apis: ApiRow[] };
  try {
    trusted = await trustedRedirect(c, url);
  } catch (error) {
    if (error instanceof UntrustedRedirectError) return renderErrorPage(c, 'Sign-in request not valid', error.description);
    throw error;
  }

  const { client, redirectUri, apis } = trusted;
  try {
    const params = singleValuedParams(url.searchParams);
    const audience = requestedAudience(params, client);
    const api = apis.find((candidate) => candidate.identifier === audience);
    const request = parseAuthorizationRequest(params, client, redirectUri, audience, api);
    const prompt = parsePrompt(params);
    const config = getConfig(c.env);
    const pending = {
      ...request,
      id: randomToken(16),
      clientName: client.name,
      expiresAt: Date.now() + config.loginRequestTtlSeconds * 1000,
      forceConsent: prompt.consent,
    };

    // Single sign-on (OIDC Core 3.1.2.3): a live session approves the request without a page,
    // unless the app asks for a fresh sign-in (prompt=login) or a recent one (max_age).
    const session = prompt.login ? undefined : await currentSession(c);
    const recentEnough = (authTime: number) => prompt.maxAge === undefined || Date.now() / 1000 - authTime <= prompt.maxAge;
    if (session && recentEnough(session.authTime) && (await isUserActive(c.env, session.userId))) {
      const user = { userId: session.userId, authTime: session.authTime };
      // OIDC Core 3.1.2.6: without a page, a request that needs consent cannot be approved.
      if (prompt.none && (await needsConsent(c.env, pending, user))) throw new OAuthError('consent_required', 'The user must consent.');
      const location = await approve(c, pending, user);
      if (location !== '/consent') {
        auditorOf(c)({ event: 'code_issued', clientId: client.id, userId: user.userId, grantId: pending.id, detail: { single_sign_on: true } });
      }
      return redirectToApp(c, location, 302);
    }
    if (prompt.none) throw new OAuthError('login_required', 'The user must sign in.');

    await setLoginRequestCookie(c, pending);
    c.header('Cache-Control', 'no-store');
    return c.redirect('/login', 302);
  } catch (error) {
    if (error instanceof OAuthError) return redirectError(c, redirectUri, url, error);
    throw error;
  }
}
