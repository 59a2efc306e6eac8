/**
 * The way a native app and its in-app browser tab use the worker, one step at a time:
 * authorize → login (→ consent) → code → tokens. One way to get each: `signIn` is the front
 * channel, `redeemForTokens` the back channel, `signInForTokens` both.
 */
import { base64url } from 'jose';
import { expect } from 'vitest';
import { expectTokenResponse, type IssuedCode, type TokenResponseBody } from './assertions';
import { DEFAULT_NONCE, DEFAULT_STATE, DEMO_API_BASIC, DEMO_CLAIMED_REDIRECT, DEMO_EMAIL, DEMO_PASSWORD, DEMO_REDIRECT, PARTNER } from './fixtures';
import { call, cookieFrom, form, LOGIN_COOKIE, SESSION_COOKIE } from './http';
import { freshIp } from './values';

export type { IssuedCode, TokenResponseBody } from './assertions';

// ---------------------------------------------------------------------------------------------
// Authorization request
// ---------------------------------------------------------------------------------------------

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url.encode(new Uint8Array(digest)) };
}

/** /authorize with these parameters; undefined ones are left out. */
export function authorizePath(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.append(name, value);
  return `/authorize?${query.toString()}`;
}

export interface AuthorizationParams {
  client_id?: string;
  redirect_uri?: string;
  response_type?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  state?: string;
  scope?: string;
  nonce?: string;
  audience?: string;
  [extra: string]: string | undefined;
}

/** The demo app's authorization request with a fresh PKCE pair, changed by `overrides` (undefined: left out). */
export async function defaultAuthorization(overrides: AuthorizationParams = {}) {
  const { verifier, challenge } = await pkcePair();
  const params: AuthorizationParams = {
    client_id: 'demo-app',
    redirect_uri: DEMO_REDIRECT,
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: DEFAULT_STATE,
    scope: 'openid read:items',
    nonce: DEFAULT_NONCE,
    ...overrides,
  };
  return { params, verifier };
}

/**
 * A fresh authorization request from a browser that sends `cookie` (or none), by default from
 * demo-app's claimed https redirect: the one a single sign-on session approves without a page.
 */
export async function authorizeWith(cookie: string | undefined, overrides: AuthorizationParams = {}) {
  const { params, verifier } = await defaultAuthorization({ redirect_uri: DEMO_CLAIMED_REDIRECT, ...overrides });
  const response = await call(authorizePath(params), cookie === undefined ? {} : { headers: { Cookie: cookie } });
  return { response, params, verifier };
}

// ---------------------------------------------------------------------------------------------
// Pushed authorization requests (RFC 9126)
// ---------------------------------------------------------------------------------------------

/** POST /par with these parameters (undefined: left out); public unless `headers` carry credentials. */
export function push(params: AuthorizationParams, headers: Record<string, string> = {}): Promise<Response> {
  const body: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined) body[name] = value;
  return call('/par', form(body, { headers }));
}

/** The front channel of a pushed request: only client_id and request_uri count; `ignored` are sent too. */
export function pushedAuthorizePath(clientId: string, requestUri: string, ignored: Record<string, string> = {}): string {
  return authorizePath({ ...ignored, client_id: clientId, request_uri: requestUri });
}

export interface PushedAuthorization {
  requestUri: string;
  expiresIn: number;
  params: AuthorizationParams;
  verifier: string;
}

/** Pushes demo-app's default request changed by `overrides` and expects a request_uri (201). */
export async function pushAuthorization(overrides: AuthorizationParams = {}, headers: Record<string, string> = {}): Promise<PushedAuthorization> {
  const { params, verifier } = await defaultAuthorization(overrides);
  const response = await push(params, headers);
  expect(response.status).toBe(201);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  const body = (await response.json()) as { request_uri: string; expires_in: number };
  expect(Object.keys(body).sort()).toEqual(['expires_in', 'request_uri']);
  expect(body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
  return { requestUri: body.request_uri, expiresIn: body.expires_in, params, verifier };
}

// ---------------------------------------------------------------------------------------------
// Login
// ---------------------------------------------------------------------------------------------

export interface PendingLogin {
  cookie: string;
  requestId: string;
  verifier: string;
  params: AuthorizationParams;
}

/** /authorize then GET /login, as the in-app browser tab does. */
export async function startLogin(overrides: AuthorizationParams = {}): Promise<PendingLogin> {
  const { params, verifier } = await defaultAuthorization(overrides);
  return openLogin(await call(authorizePath(params)), verifier, params);
}

/** From /authorize's answer to the login form: the redirect to /login, its cookie, the form's request id. */
export async function openLogin(authorized: Response, verifier: string, params: AuthorizationParams): Promise<PendingLogin> {
  expect(authorized.status).toBe(302);
  expect(authorized.headers.get('Location')).toBe('/login');
  const cookie = cookieFrom(authorized);
  const page = await call('/login', { headers: { Cookie: cookie } });
  expect(page.status).toBe(200);
  const requestId = /name="request_id" value="([^"]+)"/.exec(await page.text())?.[1];
  expect(requestId).toBeDefined();
  return { cookie, requestId: requestId!, verifier, params };
}

/** POST /login for the pending request: the demo account unless other credentials are given. */
export function submitLogin(
  pending: PendingLogin,
  credentials: { email?: string; password?: string; request_id?: string } = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(
    '/login',
    form(
      { request_id: pending.requestId, email: DEMO_EMAIL, password: DEMO_PASSWORD, ...credentials },
      { headers: { Cookie: pending.cookie, ...headers } },
    ),
  );
}

/**
 * Who signs in, and from where (`CF-Connecting-IP`); the dev seed's demo account by default. Without
 * an address each sign-in comes from a fresh one, so no test meets the per-network limit by accident.
 */
export interface Account {
  email: string;
  password: string;
  ip?: string;
}

const DEMO_ACCOUNT: Account = { email: DEMO_EMAIL, password: DEMO_PASSWORD };

function loginHeaders(account: Account): Record<string, string> {
  return { 'CF-Connecting-IP': account.ip ?? freshIp() };
}

/** One sign-in attempt through the real login form of demo-app, from an address of its own; nothing is asserted. */
export async function loginAs(email: string, password: string, overrides: AuthorizationParams = {}) {
  const pending = await startLogin(overrides);
  const response = await submitLogin(pending, { email, password }, { 'CF-Connecting-IP': freshIp() });
  return { pending, response };
}

/** The session as test/helpers/storage.ts names it: the handle `<user id>.<session id>.<secret>` without its secret. */
export function sessionIdOf(cookie: string): string {
  return cookie.slice(`${SESSION_COOKIE}=`.length).split('.').slice(0, 2).join('.');
}

export interface SignedIn {
  /** The code on the redirect back to the app. */
  issued: IssuedCode;
  /** `__Host-edge-auth-session=<handle>`, ready for a Cookie header. */
  cookie: string;
  sessionId: string;
  pending: PendingLogin;
  loginResponse: Response;
}

/** The whole front channel: authorize, sign in with the password, read the code off the redirect; the browser now holds a session. */
export async function signIn(overrides: AuthorizationParams = {}, account: Account = DEMO_ACCOUNT): Promise<SignedIn> {
  const pending = await startLogin(overrides);
  const loginResponse = await submitLogin(pending, { email: account.email, password: account.password }, loginHeaders(account));
  expect(loginResponse.status).toBe(303);
  const location = new URL(loginResponse.headers.get('Location')!);
  const code = location.searchParams.get('code');
  expect(code).toBeTruthy();
  const cookie = cookieFrom(loginResponse, SESSION_COOKIE);
  return {
    issued: { code: code!, verifier: pending.verifier, redirectUri: pending.params.redirect_uri!, location },
    cookie,
    sessionId: sessionIdOf(cookie),
    pending,
    loginResponse,
  };
}

/** Only the code of `signIn`. */
export async function obtainCode(overrides: AuthorizationParams = {}, account: Account = DEMO_ACCOUNT): Promise<IssuedCode> {
  return (await signIn(overrides, account)).issued;
}

// ---------------------------------------------------------------------------------------------
// Token endpoint
// ---------------------------------------------------------------------------------------------

/** POST /oauth/token for the code, as demo-app; `overrides` change fields (undefined: left out). */
export function redeem(issued: IssuedCode, overrides: Record<string, string | undefined> = {}): Promise<Response> {
  const body: Record<string, string> = {};
  const fields = {
    grant_type: 'authorization_code',
    client_id: 'demo-app',
    code: issued.code,
    redirect_uri: issued.redirectUri,
    code_verifier: issued.verifier,
    ...overrides,
  };
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) body[name] = value;
  return call('/oauth/token', form(body));
}

/** The back channel: redeems the code and expects tokens. */
export async function redeemForTokens(issued: IssuedCode, overrides: Record<string, string | undefined> = {}): Promise<TokenResponseBody> {
  return expectTokenResponse(await redeem(issued, overrides));
}

/** Signs in and redeems the code (for the client of the request): the tokens a native app holds after its first sign-in. */
export async function signInForTokens(
  overrides: AuthorizationParams = {},
  account: Account = DEMO_ACCOUNT,
): Promise<TokenResponseBody & { issued: IssuedCode; sessionCookie: string }> {
  const { issued, cookie } = await signIn(overrides, account);
  const tokens = await redeemForTokens(issued, { client_id: overrides.client_id ?? 'demo-app' });
  return { ...tokens, issued, sessionCookie: cookie };
}

export function refresh(refreshToken: string, overrides: Record<string, string | undefined> = {}): Promise<Response> {
  const body: Record<string, string> = {};
  for (const [name, value] of Object.entries({ grant_type: 'refresh_token', client_id: 'demo-app', refresh_token: refreshToken, ...overrides })) {
    if (value !== undefined) body[name] = value;
  }
  return call('/oauth/token', form(body));
}

/** POST /oauth/introspect, as the Example API unless another Authorization header is given. */
export async function introspect(token: string, authorization = DEMO_API_BASIC): Promise<Response> {
  return call('/oauth/introspect', form({ token }, { headers: { Authorization: authorization } }));
}

// ---------------------------------------------------------------------------------------------
// Consent
// ---------------------------------------------------------------------------------------------

export interface PendingConsent {
  /** The re-sealed pending request, now signed in: `__Host-edge-auth-login=…`. */
  cookie: string;
  requestId: string;
  verifier: string;
  /** The single sign-on session the sign-in started. */
  session: string;
}

/** Authorize partner-app and sign in: the browser now stands on the consent page. */
export async function reachConsent(email: string, password: string, overrides: AuthorizationParams = {}, ip = freshIp()): Promise<PendingConsent> {
  const pending = await startLogin({ ...PARTNER, ...overrides });
  const response = await submitLogin(pending, { email, password }, { 'CF-Connecting-IP': ip });
  expect(response.status).toBe(303);
  expect(response.headers.get('Location')).toBe('/consent');
  return { cookie: cookieFrom(response, LOGIN_COOKIE), requestId: pending.requestId, verifier: pending.verifier, session: cookieFrom(response, SESSION_COOKIE) };
}

export function submitConsent(consent: PendingConsent, decision: 'allow' | 'deny' | string, headers: Record<string, string> = {}, fields: Record<string, string> = {}): Promise<Response> {
  return call(
    '/consent',
    form({ request_id: consent.requestId, decision, ...fields }, { headers: { Cookie: consent.cookie, ...headers } }),
  );
}

/** wrangler.toml's LOGIN_NETWORK_LIMIT: sign-in attempts per client network per 60-second window. */
export const NETWORK_LIMIT = 30;

/**
 * Guesses at unknown accounts from an address until `probe`, a real account's right password sent
 * from the same address, is refused too: the network limit is reached. The platform's windows are
 * aligned to the clock, so a run may straddle one boundary: it is bounded by two windows' worth.
 * Returns the number of guesses it took.
 */
export async function exhaustNetwork(pending: PendingLogin, address: (i: number) => string, probe: { email: string; password: string }): Promise<number> {
  for (let i = 0; i <= 2 * NETWORK_LIMIT; i++) {
    const guess = await submitLogin(pending, { email: `spray-${crypto.randomUUID()}@example.com`, password: 'guess' }, { 'CF-Connecting-IP': address(i) });
    if (guess.status !== 401) throw new Error(`a guess got ${guess.status}`);
    // 401 only when refused: a right password otherwise signs in (303) or finds the request used (400).
    if ((await submitLogin(pending, probe, { 'CF-Connecting-IP': address(i) })).status === 401) return i + 1;
  }
  throw new Error('the network limit never refused');
}
