// @ts-check
// What `npm run dev` prints once the worker answers: where it runs, the dev seed's accounts
// (scripts/dev-seed.sql) and the commands to try next.
import { createHash, randomBytes } from 'node:crypto';
import { edgeAuthUrlPrefix } from './dev-address.mjs';

/** The dev seed's public app, the API it calls, and its loopback redirect (any port matches, RFC 8252 section 7.3). */
const DEMO = {
  clientId: 'demo-app',
  redirectUri: 'http://127.0.0.1/callback',
  scope: 'openid profile email offline_access read:items',
  audience: 'https://api.example.com',
};

/**
 * @typedef {object} SignInLink
 * @property {string} url  an authorization request for demo-app with a PKCE S256 challenge
 * @property {string} codeVerifier  what redeems the code it brings back
 */

/**
 * A native app's authorization request for the dev seed's demo-app, fresh for each start
 * (RFC 7636 section 4.1: a new verifier per sign-in).
 * @param {string} issuer
 * @returns {SignInLink}
 */
export function demoSignInLink(issuer) {
  const codeVerifier = randomBytes(32).toString('base64url');
  const url = new URL(`${issuer}/authorize`);
  url.search = new URLSearchParams({
    client_id: DEMO.clientId,
    response_type: 'code',
    redirect_uri: DEMO.redirectUri,
    scope: DEMO.scope,
    audience: DEMO.audience,
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  return { url: url.href, codeVerifier };
}

/**
 * @param {string} issuer
 * @param {SignInLink} signIn
 * @returns {string}
 */
export function devBanner(issuer, signIn) {
  const env = edgeAuthUrlPrefix(issuer);
  return `
edge-auth is ready at ${issuer}
  issuer      ${issuer}   (discovery: ${issuer}/.well-known/openid-configuration)
  home page   ${issuer}/
  mailbox     ${issuer}/dev/mailbox   (sign-up and password-reset mail; nothing is sent anywhere)
  account     ${issuer}/account   (change password or email, sign out everywhere, delete the account)

Dev seed (scripts/dev-seed.sql; local database only)
  user           demo@example.com / demo-password
  public apps    demo-app, other-app, partner-app (a third-party app: asks for consent)
  API client     demo-api / demo-api-secret (token introspection for https://api.example.com)
  admin client   dev-admin / dev-admin-secret (Management API; npm run admin uses it here)
  MCP            mcp-client, for the example MCP server at http://127.0.0.1:8788/mcp (npm run dev:mcp)

Next
  Sign in in a browser, as demo-app would:
    ${signIn.url}
  It ends at ${DEMO.redirectUri}?code=... (no app listens there); redeem that code at once:
    curl -s ${issuer}/oauth/token \\
      -d grant_type=authorization_code -d client_id=${DEMO.clientId} -d redirect_uri=${DEMO.redirectUri} \\
      -d code_verifier=${signIn.codeVerifier} -d code=CODE
  List the apps:
    ${env}npm run admin -- clients list
  Sign in as a native app, every step:
    ${env}node examples/native-app/sign-in.mjs --open
`;
}
