/**
 * Shared by the attack suite (test/attacks) and the property tests (test/properties): what a
 * refused attack must look like, checked the same way everywhere.
 */
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { hashPassword } from '../../src/crypto/password';
import { clearRegistryCache } from '../../src/db/registry';
import { call, form, ISSUER, startLogin, submitLogin, type AuthorizationParams, type IssuedCode } from '../helpers';

/** RFC 6749 section 5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ) */
export const ERROR_DESCRIPTION = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;

/** Error codes a token, revocation or introspection endpoint may answer (RFC 6749 section 5.2, RFC 7009 section 2.2.1). */
export const TOKEN_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
  'server_error',
  'temporarily_unavailable',
]);

/** Error codes of an authorization response (RFC 6749 section 4.1.2.1, OIDC Core section 3.1.2.6). */
export const AUTHORIZATION_ERRORS = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

/** What every client of the dev seed may be redirected to (scripts/dev-seed.sql). */
export const REGISTERED_REDIRECTS: Readonly<Record<string, readonly string[]>> = {
  'demo-app': ['com.example.demo:/callback', 'http://127.0.0.1/callback'],
  'other-app': ['com.example.other:/callback'],
};

/**
 * An independent oracle for RFC 8252 section 7.3 and RFC 9700 section 2.1, written without
 * src/oauth/redirect-uri.ts: exact match, or a loopback IP literal whose only difference is a port
 * 1-65535 written without leading zeros.
 */
export function isRegisteredRedirect(uri: string, registered: readonly string[]): boolean {
  if (registered.includes(uri)) return true;
  const loopback = /^http:\/\/(127\.0\.0\.1|\[::1\]):([1-9][0-9]{0,4})(\/[^]*)?$/.exec(uri);
  if (!loopback || Number(loopback[2]) > 65535) return false;
  return registered.includes(`http://${loopback[1]}${loopback[3] ?? ''}`);
}

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
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*/);
  // No script source at all: default-src 'none' covers it, and nothing loosens it.
  expect(csp).not.toMatch(/script-src/);
}

/** A refusal shown to the person: a 400 page, never a redirect. */
export async function expectErrorPage(response: Response, status = 400): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Location')).toBeNull();
  expectPageHeaders(response);
  const html = await response.text();
  expect(html).toContain('<h1>');
  return html;
}

/** RFC 6749 section 5.2: JSON, an error from the RFC's set, a legal description, no-store, no redirect. */
export async function expectRfcError(response: Response, status?: number, error?: string): Promise<{ error: string; error_description: string }> {
  if (status !== undefined) expect(response.status).toBe(status);
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get('Location')).toBeNull();
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  const body = (await response.json()) as { error: string; error_description: string };
  expect(TOKEN_ERRORS.has(body.error), `error ${body.error}`).toBe(true);
  expect(body.error_description).toMatch(ERROR_DESCRIPTION);
  if (error !== undefined) expect(body.error).toBe(error);
  return body;
}

/** An authorization error sent to the app's trusted redirect URI (RFC 6749 section 4.1.2.1, RFC 9207). */
export function expectErrorRedirect(response: Response, redirectUri: string, error?: string, status = 302): URLSearchParams {
  expect(response.status).toBe(status);
  const location = response.headers.get('Location') ?? '';
  expect(location.startsWith(`${redirectUri}?`), location).toBe(true);
  const params = new URLSearchParams(location.slice(redirectUri.length + 1));
  expect(AUTHORIZATION_ERRORS.has(params.get('error') ?? '')).toBe(true);
  if (error !== undefined) expect(params.get('error')).toBe(error);
  expect(params.get('error_description') ?? '').toMatch(ERROR_DESCRIPTION);
  expect(params.getAll('iss')).toEqual([ISSUER]);
  expect(params.get('code')).toBeNull();
  return params;
}

/** The page's body with its per-response CSP nonce blanked, for byte-for-byte comparisons. */
export function withoutNonce(text: string): string {
  return text.replace(/nonce-[A-Za-z0-9_-]+/g, 'nonce-X').replace(/nonce="[^"]*"/g, 'nonce="X"');
}

/** Accounts of a test file's own, hashed at 1,000 iterations so that logins are fast. */
export async function createUsers(users: Record<string, string>): Promise<void> {
  const statements = await Promise.all(
    Object.entries(users).map(async ([email, password]) =>
      env.DB.prepare('INSERT OR IGNORE INTO users (id, email, name, email_verified, password_hash) VALUES (?, ?, ?, 1, ?)').bind(
        `user_${email.replace(/[^a-z0-9]/g, '_')}`,
        email,
        email.split('@')[0]!,
        await hashPassword(password, 1000),
      ),
    ),
  );
  await env.DB.batch(statements);
}

/** Registers a client in the test database and forgets cached rows so it is seen at once. */
export async function createClient(row: {
  id: string;
  type?: 'public' | 'confidential';
  secretHash?: string | null;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: string[];
  scopes?: string[];
}): Promise<void> {
  await env.DB.prepare(
    `INSERT OR IGNORE INTO clients (id, name, type, secret_hash, redirect_uris, post_logout_redirect_uris, grant_types, scopes, audiences)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, '["https://api.example.com"]')`,
  )
    .bind(
      row.id,
      row.id,
      row.type ?? 'public',
      row.secretHash ?? null,
      JSON.stringify(row.redirectUris),
      JSON.stringify(row.postLogoutRedirectUris ?? []),
      JSON.stringify(row.grantTypes ?? ['authorization_code', 'refresh_token']),
      JSON.stringify(row.scopes ?? ['openid', 'offline_access', 'read:items']),
    )
    .run();
  clearRegistryCache();
}

/** The front channel with a fast account: authorize, sign in, read the code off the redirect. */
export async function codeFor(email: string, password: string, overrides: AuthorizationParams = {}, ip = '192.0.2.1'): Promise<IssuedCode> {
  const pending = await startLogin(overrides);
  const response = await submitLogin(pending, { email, password }, { 'CF-Connecting-IP': ip });
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('Location')!);
  const code = location.searchParams.get('code');
  expect(code).toBeTruthy();
  return { code: code!, verifier: pending.verifier, redirectUri: pending.params.redirect_uri!, location };
}

/** A third-party app of the dev seed that must ask the user's consent (scripts/dev-seed.sql). */
export const PARTNER = { client_id: 'partner-app', redirect_uri: 'com.example.partner:/callback', scope: 'openid read:items' };

export interface PendingConsent {
  /** The re-sealed pending request, now signed in: `__Host-edge-auth-login=…`. */
  cookie: string;
  requestId: string;
  verifier: string;
  /** The single sign-on session the sign-in started. */
  session: string;
}

/** Authorize partner-app and sign in: the browser now stands on the consent page. */
export async function reachConsent(email: string, password: string, overrides: AuthorizationParams = {}, ip = '192.0.2.2'): Promise<PendingConsent> {
  const pending = await startLogin({ ...PARTNER, ...overrides });
  const response = await submitLogin(pending, { email, password }, { 'CF-Connecting-IP': ip });
  expect(response.status).toBe(303);
  expect(response.headers.get('Location')).toBe('/consent');
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Host-edge-auth-login='))!.split(';')[0]!;
  const session = response.headers.getSetCookie().find((c) => c.startsWith('__Host-edge-auth-session='))!.split(';')[0]!;
  return { cookie, requestId: pending.requestId, verifier: pending.verifier, session };
}

export function submitConsent(consent: PendingConsent, decision: 'allow' | 'deny' | string, headers: Record<string, string> = {}, fields: Record<string, string> = {}): Promise<Response> {
  return call(
    '/consent',
    form({ request_id: consent.requestId, decision, ...fields }, { headers: { Cookie: consent.cookie, ...headers } }),
  );
}
