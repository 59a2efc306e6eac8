/**
 * What an answer of the worker must look like, checked the same (strict) way by every test: HTML
 * pages, OAuth errors in JSON and by redirect, Bearer challenges, token responses.
 */
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import { DEFAULT_STATE, DEMO_CLAIMED_REDIRECT, DEMO_REDIRECT, ISSUER } from './fixtures';
import { call, LOGIN_COOKIE, setCookieFor } from './http';

/** RFC 6749 section 5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ) */
export const ERROR_DESCRIPTION = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Error codes a token, revocation or introspection endpoint may answer (RFC 6749 section 5.2, RFC 7009
 * section 2.2.1, RFC 8707 section 2 for invalid_target).
 */
export const TOKEN_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
  'invalid_target',
  'server_error',
  'temporarily_unavailable',
]);

/** Error codes of a protected resource refusing a Bearer token (RFC 6750 section 3.1). */
export const BEARER_ERRORS: ReadonlySet<string> = new Set(['invalid_request', 'invalid_token', 'insufficient_scope']);

/** Error codes of an authorization response (RFC 6749 section 4.1.2.1, OIDC Core section 3.1.2.6, RFC 8707 section 2). */
export const AUTHORIZATION_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'invalid_target',
  'server_error',
  'temporarily_unavailable',
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
  'request_not_supported',
  'request_uri_not_supported',
]);

/**
 * Error codes of the pushed authorization request endpoint (RFC 9126 section 2.3): the token
 * endpoint's for client authentication and the body, the authorization endpoint's for the request.
 */
export const PUSH_ERRORS: ReadonlySet<string> = new Set([...TOKEN_ERRORS, ...AUTHORIZATION_ERRORS]);

// ---------------------------------------------------------------------------------------------
// HTML pages
// ---------------------------------------------------------------------------------------------

/**
 * The headers of every HTML page: nothing may frame it, no inline script, no sniffing, no referrer,
 * never cached, never readable cross-origin.
 */
export function expectPageHeaders(response: Response): void {
  expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  expect(response.headers.get('X-Frame-Options')).toBe('DENY');
  expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
  expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
  expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
  const csp = response.headers.get('Content-Security-Policy') ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("default-src 'none'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic|\*/);
  // A script only under this response's nonce (the login page's show-password), never from a
  // host; pages without a script have no script source at all (default-src 'none' covers it).
  const scriptSources = /script-src ([^;]*)/.exec(csp)?.[1];
  if (scriptSources !== undefined) expect(scriptSources).toMatch(/^'nonce-[A-Za-z0-9_-]{16,}'$/);
}

/** A refusal shown to the person: an error page (400 unless `status` says otherwise), never a redirect. */
export async function expectErrorPage(response: Response, status = 400): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Location')).toBeNull();
  expectPageHeaders(response);
  const html = await response.text();
  expect(html).toContain('<h1>');
  return html;
}

/** The page's body with its per-response CSP nonce blanked, for byte-for-byte comparisons. */
export function withoutNonce(text: string): string {
  // The passkey challenge is fresh on every page too (sealed with a random IV).
  return text.replace(/nonce-[A-Za-z0-9_-]+/g, 'nonce-X').replace(/nonce="[^"]*"/g, 'nonce="X"').replace(/data-challenge="[^"]*"/g, 'data-challenge="X"');
}

export const LOGIN_FAILED = 'Incorrect email or password.';

/** The login form shown again after wrong credentials. */
export async function expectLoginRefused(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(await response.text()).toContain(LOGIN_FAILED);
}

// ---------------------------------------------------------------------------------------------
// JSON answers of the token, revocation and introspection endpoints and of protected resources
// ---------------------------------------------------------------------------------------------

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/**
 * RFC 6749 section 5.2: a 4xx (`status` when given), JSON, no-store, no redirect, an error code of
 * `codes` (`error` when given) and a description of the legal characters.
 */
export async function expectOAuthError(
  response: Response,
  status?: number,
  error?: string,
  codes: ReadonlySet<string> = TOKEN_ERRORS,
): Promise<OAuthErrorBody> {
  if (status !== undefined) expect(response.status).toBe(status);
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get('Location')).toBeNull();
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  const body = (await response.json()) as OAuthErrorBody;
  expect(codes.has(body.error), `error ${body.error}`).toBe(true);
  if (error !== undefined) expect(body.error).toBe(error);
  expect(body.error_description).toMatch(ERROR_DESCRIPTION);
  return body;
}

/** RFC 6750 section 3: a refused Bearer token; the challenge names the realm and the error. Returns the description. */
export async function expectBearerError(response: Response, status: number, error: string): Promise<string> {
  const challenge = response.headers.get('WWW-Authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="edge-auth"/);
  expect(challenge).toContain(`error="${error}"`);
  return (await expectOAuthError(response, status, error, BEARER_ERRORS)).error_description;
}

export interface TokenResponseBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

/** A successful token response (RFC 6749 section 5.1): 200, never cached. */
export async function expectTokenResponse(response: Response): Promise<TokenResponseBody> {
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  return (await response.json()) as TokenResponseBody;
}

/** An ID token for demo-app, verified with our published keys: its claims. */
export async function verifiedIdToken(idToken: string): Promise<JWTPayload> {
  const jwks = (await (await call('/.well-known/jwks.json')).json()) as { keys: [] };
  const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: ISSUER, audience: 'demo-app' });
  return payload;
}

// ---------------------------------------------------------------------------------------------
// Authorization responses (redirects to the app) and the way to the login page
// ---------------------------------------------------------------------------------------------

export interface AuthorizationResponseOptions {
  /** Where the response must be sent: the demo app's redirect URI unless given. */
  redirectUri?: string;
  /** 302 from /authorize, 303 after a form post. */
  status?: number;
  /** The state it must carry back: the default request's unless given; `null` for none. */
  state?: string | null;
  /** Cookies the response may set (or clear); by default it sets none. */
  setCookies?: readonly string[];
}

function expectOnlyCookies(response: Response, allowed: readonly string[]): void {
  const names = response.headers.getSetCookie().map((c) => c.split('=')[0]!);
  expect(names.filter((name) => !allowed.includes(name)), 'Set-Cookie').toEqual([]);
}

/**
 * An authorization error sent to the app's trusted redirect URI (RFC 6749 section 4.1.2.1, RFC 9207):
 * an error of the RFC's set (`error` when given), a legal description, the state, our one iss, no code.
 */
export function expectErrorRedirect(response: Response, error: string | undefined, options: AuthorizationResponseOptions = {}): URLSearchParams {
  const { redirectUri = DEMO_REDIRECT, status = 302, state = DEFAULT_STATE, setCookies = [] } = options;
  expect(response.status).toBe(status);
  const location = response.headers.get('Location') ?? '';
  expect(location.startsWith(`${redirectUri}?`), location).toBe(true);
  const params = new URLSearchParams(location.slice(redirectUri.length + 1));
  expect(params.getAll('error')).toHaveLength(1);
  expect(AUTHORIZATION_ERRORS.has(params.get('error')!), `error ${params.get('error')}`).toBe(true);
  if (error !== undefined) expect(params.get('error')).toBe(error);
  expect(params.get('error_description') ?? '').toMatch(ERROR_DESCRIPTION);
  expect(params.getAll('state')).toEqual(state === null ? [] : [state]);
  expect(params.getAll('iss')).toEqual([ISSUER]);
  expect(params.get('code')).toBeNull();
  expectOnlyCookies(response, setCookies);
  return params;
}

export interface IssuedCode {
  code: string;
  verifier: string;
  redirectUri: string;
  location: URL;
}

/**
 * /authorize answered straight back to the app with a code (OIDC Core 3.1.2.5, RFC 9207): single
 * sign-on, by default to demo-app's claimed https redirect.
 */
export function expectCodeRedirect(response: Response, verifier: string, state: string | null = DEFAULT_STATE, redirectUri = DEMO_CLAIMED_REDIRECT): IssuedCode {
  expect(response.status).toBe(302);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  const raw = response.headers.get('Location')!;
  expect(raw.startsWith(`${redirectUri}?`), raw).toBe(true);
  const location = new URL(raw);
  expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  expect(location.searchParams.getAll('state')).toEqual(state === null ? [] : [state]);
  expect(location.searchParams.getAll('iss')).toEqual([ISSUER]);
  expect(location.searchParams.get('error')).toBeNull();
  expect(setCookieFor(response, LOGIN_COOKIE)).toBeUndefined();
  return { code: location.searchParams.get('code')!, verifier, redirectUri, location };
}

/** /authorize answered with the login page: the session was not used. */
export function expectLoginRedirect(response: Response): void {
  expect(response.status).toBe(302);
  expect(response.headers.get('Location')).toBe('/login');
  expect(setCookieFor(response, LOGIN_COOKIE)).toBeDefined();
}
