import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerServer, type WorkerServer } from './worker-server';

const CLIENT: oauth.Client = { client_id: 'demo-app' };
const API = 'https://api.example.com';
const SCOPE = 'openid read:items';
/** What an app that keeps its user signed in for weeks asks for. */
const OFFLINE_SCOPE = 'openid profile email read:items offline_access';
const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'demo-password';
/** The issuer is plain http, so the cookie cannot be `__Host-` nor Secure (src/config.ts). */
const LOGIN_COOKIE = 'edge-auth-login';
const SESSION_COOKIE = 'edge-auth-session';
/** oauth4webapi talks only to https unless told otherwise; the issuer here is a loopback http URL. */
const LOOPBACK_HTTP = { [oauth.allowInsecureRequests]: true } as const;

let server: WorkerServer;
let issuer: URL;
/** What the app learns from discovery and then relies on for everything else. */
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  server = await startWorkerServer();
  issuer = new URL(server.issuer);
  // The flow is OpenID Connect (nonce, ID token), so the app uses the OIDC document: only it
  // advertises the ID token's signing algorithm, which oauth4webapi checks (it assumes RS256 otherwise).
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...LOOPBACK_HTTP }));
});

afterAll(async () => {
  await server?.close();
});

/** The app's side of RFC 8252 section 7.3: a listener on an ephemeral loopback port for the one redirect. */
interface LoopbackListener {
  redirectUri: string;
  /** The full URL the browser was sent back to. */
  received: Promise<URL>;
  close(): Promise<void>;
}

async function listenOnLoopback(): Promise<LoopbackListener> {
  let deliver: (url: URL) => void = () => undefined;
  const received = new Promise<URL>((resolve) => (deliver = resolve));
  const listener = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    deliver(url);
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('You can close this tab.');
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', resolve);
  });
  const { port } = listener.address() as AddressInfo;
  return {
    // The seed registers http://127.0.0.1/callback; the port is the app's choice at request time.
    redirectUri: `http://127.0.0.1:${port}/callback`,
    received,
    close: () => new Promise<void>((resolve) => listener.close(() => resolve())),
  };
}

/** What the app keeps between opening the browser and receiving the redirect. */
interface PendingAuthorization {
  url: URL;
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

async function authorizationRequest(redirectUri: string, scope = SCOPE): Promise<PendingAuthorization> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: CLIENT.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope,
    audience: API,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  return { url, redirectUri, state, nonce, codeVerifier };
}

/** The browser's view of the login page: its address, the pending-request cookie and the form's request id. */
interface LoginPage {
  url: URL;
  cookie: string;
  requestId: string;
}

/** The browser opens the authorization URL, is sent to the login page with a cookie, and loads the form. */
async function openLoginPage(authorizationUrl: URL): Promise<LoginPage> {
  const authorized = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(authorized.status).toBe(302);
  expect(authorized.headers.get('Cache-Control')).toBe('no-store');
  const url = new URL(authorized.headers.get('Location')!, authorizationUrl);
  expect(url.href).toBe(new URL('/login', issuer).href);
  const setCookies = authorized.headers.getSetCookie();
  expect(setCookies).toHaveLength(1);
  const [pair, ...attributes] = setCookies[0]!.split(';').map((part) => part.trim());
  expect(pair).toMatch(new RegExp(`^${LOGIN_COOKIE}=[A-Za-z0-9_-]+$`));
  expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax']));
  expect(attributes).not.toContain('Secure');

  const page = await fetch(url, { headers: { Cookie: pair! }, redirect: 'manual' });
  expect(page.status).toBe(200);
  expect(page.headers.get('Content-Type')).toMatch(/^text\/html/);
  expect(page.headers.get('Cache-Control')).toBe('no-store');
  const html = await page.text();
  expect(html).toContain('<form method="post" action="/login">');
  const requestId = /<input type="hidden" name="request_id" value="([^"]*)"/.exec(html)?.[1];
  expect(requestId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  return { url, cookie: pair!, requestId: requestId! };
}

/** The form post, form-encoded, with the cookie the browser holds. */
function submitLogin(page: LoginPage, password: string): Promise<Response> {
  return fetch(page.url, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: page.cookie },
    body: new URLSearchParams({ request_id: page.requestId, email: DEMO_EMAIL, password }),
  });
}

/** Returns the user to the app: the 303 from the login form, followed to the app's loopback listener. */
async function returnToApp(submitted: Response, listener: LoopbackListener): Promise<URL> {
  expect(submitted.status).toBe(303);
  expect(submitted.headers.get('Cache-Control')).toBe('no-store');
  const location = submitted.headers.get('Location')!;
  expect(location.startsWith(`${listener.redirectUri}?`)).toBe(true);
  // The pending request is spent, so its cookie is cleared; the single sign-on session begins.
  const setCookies = submitted.headers.getSetCookie();
  expect(setCookies).toHaveLength(2);
  expect(setCookies).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${LOGIN_COOKIE}=;.*Max-Age=0`)),
      expect.stringMatching(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_.-]+; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax$`)),
    ]),
  );
  const delivered = await fetch(location, { redirect: 'manual' });
  expect(delivered.status).toBe(200);
  return listener.received;
}

/** The front channel of a native app: browser out to the authorization server and back to the loopback listener. */
async function signIn(scope = SCOPE): Promise<{ pending: PendingAuthorization; callback: URL; sessionCookie: string }> {
  const listener = await listenOnLoopback();
  try {
    const pending = await authorizationRequest(listener.redirectUri, scope);
    const page = await openLoginPage(pending.url);
    const submitted = await submitLogin(page, DEMO_PASSWORD);
    const sessionCookie = submitted.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0] ?? '';
    const callback = await returnToApp(submitted, listener);
    return { pending, callback, sessionCookie };
  } finally {
    await listener.close();
  }
}

function exchangeCode(pending: PendingAuthorization, callbackParams: URLSearchParams): Promise<Response> {
  return oauth.authorizationCodeGrantRequest(
    as,
    CLIENT,
    oauth.None(),
    callbackParams,
    pending.redirectUri,
    pending.codeVerifier,
    LOOPBACK_HTTP,
  );
}

describe('a native app signs in over HTTP (RFC 8252, with oauth4webapi)', () => {
  it('discovers the server from RFC 8414 metadata, and the same from the OpenID configuration', async () => {
    const oauthResponse = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...LOOPBACK_HTTP });
    expect(new URL(oauthResponse.url).pathname).toBe('/.well-known/oauth-authorization-server');
    expect(oauthResponse.status).toBe(200);
    expect(oauthResponse.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(oauthResponse.headers.get('Cache-Control')).toBe('public, max-age=300');
    const metadata = await oauth.processDiscoveryResponse(issuer, oauthResponse);
    expect(metadata).toMatchObject({
      issuer: server.issuer,
      authorization_endpoint: `${server.issuer}/authorize`,
      token_endpoint: `${server.issuer}/oauth/token`,
      jwks_uri: `${server.issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      // RFC 9207: makes oauth4webapi require `iss` in every authorization response.
      authorization_response_iss_parameter_supported: true,
    });
    expect(metadata.grant_types_supported).toContain('authorization_code');
    expect(metadata.token_endpoint_auth_methods_supported).toContain('none');
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'read:items']));

    const oidcResponse = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...LOOPBACK_HTTP });
    expect(new URL(oidcResponse.url).pathname).toBe('/.well-known/openid-configuration');
    expect(oidcResponse.status).toBe(200);
    const openidConfiguration = await oauth.processDiscoveryResponse(issuer, oidcResponse);
    expect(openidConfiguration).toMatchObject({ ...metadata });
    expect(openidConfiguration.id_token_signing_alg_values_supported).toContain('ES256');
  });

  it('gets tokens with PKCE and a loopback redirect, and the API accepts the access token', async () => {
    const { pending, callback } = await signIn();
    // RFC 9207: the app checks where the code comes from before it spends it.
    expect(callback.searchParams.get('iss')).toBe(as.issuer);
    const params = oauth.validateAuthResponse(as, CLIENT, callback, pending.state);
    expect(params.get('code')).toBeTruthy();

    const response = await exchangeCode(pending, params);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const tokens = await oauth.processAuthorizationCodeResponse(as, CLIENT, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'read:items']));
    expect(tokens.expires_in).toBeGreaterThan(0);
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({
      iss: as.issuer,
      sub: 'user_demo',
      aud: CLIENT.client_id,
      azp: CLIENT.client_id,
      nonce: pending.nonce,
    });

    // The resource server's side: keys from the published jwks_uri, and the RFC 9068 profile.
    const jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: as.issuer, audience: API, typ: 'at+jwt' });
    expect(payload.sub).toBe('user_demo');
    expect(payload.client_id).toBe(CLIENT.client_id);
    expect(String(payload.scope).split(' ')).toContain('read:items');
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.jti).not.toBe('');

    // oauth4webapi trusts the ID token's signature to TLS; this checks it against the same keys.
    const idToken = await jwtVerify(tokens.id_token!, jwks, { issuer: as.issuer, audience: CLIENT.client_id, typ: 'JWT' });
    expect(idToken.payload.nonce).toBe(pending.nonce);
  });

  it('refuses a replayed code with invalid_grant and no-store', async () => {
    const { pending, callback } = await signIn();
    const params = oauth.validateAuthResponse(as, CLIENT, callback, pending.state);
    const first = await exchangeCode(pending, params);
    expect(first.status).toBe(200);
    await oauth.processAuthorizationCodeResponse(as, CLIENT, first, { expectedNonce: pending.nonce });

    const replay = await exchangeCode(pending, params);
    expect(replay.status).toBe(400);
    expect(replay.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(replay.headers.get('Cache-Control')).toBe('no-store');
    await expect(oauth.processAuthorizationCodeResponse(as, CLIENT, replay, { expectedNonce: pending.nonce })).rejects.toMatchObject({
      code: oauth.RESPONSE_BODY_ERROR,
      status: 400,
      error: 'invalid_grant',
    });
  });

  it('shows the form again with 401 after a wrong password, and the same request can still sign in', async () => {
    const listener = await listenOnLoopback();
    try {
      const pending = await authorizationRequest(listener.redirectUri);
      const page = await openLoginPage(pending.url);

      const refused = await submitLogin(page, 'not-the-demo-password');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('Location')).toBeNull();
      expect(refused.headers.get('Content-Type')).toMatch(/^text\/html/);
      expect(refused.headers.get('Cache-Control')).toBe('no-store');
      // The pending request survives the failure: its cookie is neither replaced nor cleared.
      expect(refused.headers.getSetCookie()).toEqual([]);
      const html = await refused.text();
      expect(html).toContain('Incorrect email or password.');
      expect(html).toContain('<form method="post" action="/login">');
      expect(html).toContain(`<input type="hidden" name="request_id" value="${page.requestId}"`);

      const callback = await returnToApp(await submitLogin(page, DEMO_PASSWORD), listener);
      expect(oauth.validateAuthResponse(as, CLIENT, callback, pending.state).get('code')).toBeTruthy();
    } finally {
      await listener.close();
    }
  });
});

/** Signs in and exchanges the code, as the app does on its first launch. */
async function signInForTokens(scope: string) {
  const signedIn = await signIn(scope);
  const params = oauth.validateAuthResponse(as, CLIENT, signedIn.callback, signedIn.pending.state);
  const tokens = await oauth.processAuthorizationCodeResponse(as, CLIENT, await exchangeCode(signedIn.pending, params), {
    expectedNonce: signedIn.pending.nonce,
    requireIdToken: true,
  });
  return { ...signedIn, tokens };
}

/** The Example API's credentials from the dev seed: a confidential client for introspection. */
const RESOURCE_SERVER: oauth.Client = { client_id: 'demo-api' };
const RESOURCE_SERVER_AUTH = oauth.ClientSecretBasic('demo-api-secret');

async function introspect(token: string) {
  const response = await oauth.introspectionRequest(as, RESOURCE_SERVER, RESOURCE_SERVER_AUTH, token, LOOPBACK_HTTP);
  return oauth.processIntrospectionResponse(as, RESOURCE_SERVER, response);
}

describe('a native app keeps its user signed in, and signs out (token lifecycle over HTTP)', () => {
  it('refreshes with rotation, and a replayed refresh token revokes the family', async () => {
    const { tokens } = await signInForTokens(OFFLINE_SCOPE);
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      CLIENT,
      await oauth.refreshTokenGrantRequest(as, CLIENT, oauth.None(), tokens.refresh_token!, LOOPBACK_HTTP),
    );
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // The refreshed ID token is validated by the library: same subject and auth_time as the sign-in.
    const claims = oauth.getValidatedIdTokenClaims(refreshed)!;
    expect(claims.sub).toBe('user_demo');
    expect(claims.auth_time).toBe(oauth.getValidatedIdTokenClaims(tokens)!.auth_time);

    // A stolen, already-rotated token: refused, and the app's current token dies with it.
    const replay = await oauth.refreshTokenGrantRequest(as, CLIENT, oauth.None(), tokens.refresh_token!, LOOPBACK_HTTP);
    await expect(oauth.processRefreshTokenResponse(as, CLIENT, replay)).rejects.toMatchObject({ error: 'invalid_grant' });
    const current = await oauth.refreshTokenGrantRequest(as, CLIENT, oauth.None(), refreshed.refresh_token!, LOOPBACK_HTTP);
    await expect(oauth.processRefreshTokenResponse(as, CLIENT, current)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await introspect(refreshed.access_token)).toEqual({ active: false });
  });

  it('reads the user’s claims from userinfo', async () => {
    const { tokens } = await signInForTokens(OFFLINE_SCOPE);
    const response = await oauth.userInfoRequest(as, CLIENT, tokens.access_token, LOOPBACK_HTTP);
    const userinfo = await oauth.processUserInfoResponse(as, CLIENT, 'user_demo', response);
    expect(userinfo).toMatchObject({ sub: 'user_demo', name: 'Demo User', email: DEMO_EMAIL, email_verified: true });
  });

  it('lets the API introspect access tokens (never refresh tokens), and the app revoke its refresh token', async () => {
    const { tokens } = await signInForTokens(OFFLINE_SCOPE);
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, sub: 'user_demo', client_id: 'demo-app', aud: API });
    // Refresh tokens are only for the client they were issued to (SECURITY.md, issue 12 finding 8).
    expect(await introspect(tokens.refresh_token!)).toEqual({ active: false });

    const revoked = await oauth.revocationRequest(as, CLIENT, oauth.None(), tokens.refresh_token!, LOOPBACK_HTTP);
    await oauth.processRevocationResponse(revoked);
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    const refreshAfter = await oauth.refreshTokenGrantRequest(as, CLIENT, oauth.None(), tokens.refresh_token!, LOOPBACK_HTTP);
    await expect(oauth.processRefreshTokenResponse(as, CLIENT, refreshAfter)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('signs out with RP-initiated logout, after which the browser must sign in again', async () => {
    const { tokens, sessionCookie } = await signInForTokens(SCOPE);
    const logout = new URL(as.end_session_endpoint!);
    logout.search = new URLSearchParams({
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'com.example.demo:/signed-out',
      state: 'bye',
    }).toString();
    const response = await fetch(logout, { headers: { Cookie: sessionCookie }, redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe('com.example.demo:/signed-out?state=bye');
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`))]);

    // The ended session no longer skips the login page.
    const listener = await listenOnLoopback();
    try {
      const pending = await authorizationRequest(listener.redirectUri);
      const again = await fetch(pending.url, { headers: { Cookie: sessionCookie }, redirect: 'manual' });
      expect(again.headers.get('Location')).toBe('/login');
    } finally {
      await listener.close();
    }
  });
});

describe('a native app pushes its authorization request first (RFC 9126, with oauth4webapi)', () => {
  /** The app pushes every parameter over the back channel; the browser gets only client_id and request_uri. */
  async function pushedAuthorization(redirectUri: string): Promise<PendingAuthorization & { requestUri: string; expiresIn: number }> {
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const response = await oauth.pushedAuthorizationRequest(
      as,
      CLIENT,
      oauth.None(),
      {
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: SCOPE,
        audience: API,
        state,
        nonce,
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      },
      LOOPBACK_HTTP,
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const pushed = await oauth.processPushedAuthorizationResponse(as, CLIENT, response);
    expect(pushed.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({ client_id: CLIENT.client_id, request_uri: pushed.request_uri }).toString();
    return { url, redirectUri, state, nonce, codeVerifier, requestUri: pushed.request_uri, expiresIn: pushed.expires_in };
  }

  it('discovery names the endpoint, and pushing is not required server-wide', () => {
    expect(as.pushed_authorization_request_endpoint).toBe(`${server.issuer}/par`);
    expect(as.require_pushed_authorization_requests).toBe(false);
  });

  it('PAR → authorize with the request_uri → login → code → tokens, and the request_uri works once', async () => {
    const listener = await listenOnLoopback();
    try {
      const pending = await pushedAuthorization(listener.redirectUri);
      expect(pending.expiresIn).toBe(60);
      const page = await openLoginPage(pending.url);
      const callback = await returnToApp(await submitLogin(page, DEMO_PASSWORD), listener);
      const params = oauth.validateAuthResponse(as, CLIENT, callback, pending.state);
      const tokens = await oauth.processAuthorizationCodeResponse(as, CLIENT, await exchangeCode(pending, params), {
        expectedNonce: pending.nonce,
        requireIdToken: true,
      });
      expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ iss: as.issuer, sub: 'user_demo', aud: CLIENT.client_id, nonce: pending.nonce });
      const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(as.jwks_uri!)), { issuer: as.issuer, audience: API, typ: 'at+jwt' });
      expect(payload.client_id).toBe(CLIENT.client_id);

      // RFC 9126 section 4: the request_uri is spent.
      const again = await fetch(pending.url, { redirect: 'manual' });
      expect(again.status).toBe(400);
      expect(again.headers.get('Location')).toBeNull();
      expect(again.headers.get('Content-Type')).toMatch(/^text\/html/);
    } finally {
      await listener.close();
    }
  });

  it('a refused push is a JSON error the app can read (oauth4webapi raises it)', async () => {
    const response = await oauth.pushedAuthorizationRequest(as, CLIENT, oauth.None(), { redirect_uri: 'https://evil.example/cb', response_type: 'code' }, LOOPBACK_HTTP);
    expect(response.status).toBe(400);
    await expect(oauth.processPushedAuthorizationResponse(as, CLIENT, response)).rejects.toMatchObject({ error: 'invalid_request' });
  });
});
