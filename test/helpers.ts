import { base64url } from 'jose';
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';

/** The issuer the workers test project configures (vitest.config.ts). */
export const ISSUER = 'https://auth.example.test';
export const DEMO_REDIRECT = 'com.example.demo:/callback';
export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password';
export const LOGIN_COOKIE = '__Host-edge-auth-login';

/** Sends a request to the worker under test, in workerd; redirects are returned, not followed. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(new URL(path, ISSUER), { redirect: 'manual', ...init }));
}

export function form(body: Record<string, string>, init: RequestInit = {}): RequestInit {
  return {
    method: 'POST',
    ...init,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(init.headers as Record<string, string>) },
    body: new URLSearchParams(body).toString(),
  };
}

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url.encode(new Uint8Array(digest)) };
}

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

export async function defaultAuthorization(overrides: AuthorizationParams = {}) {
  const { verifier, challenge } = await pkcePair();
  const params: AuthorizationParams = {
    client_id: 'demo-app',
    redirect_uri: DEMO_REDIRECT,
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'state-123',
    scope: 'openid read:items',
    nonce: 'nonce-456',
    ...overrides,
  };
  return { params, verifier };
}

/** The `name=value` pair of a Set-Cookie header, for sending back. */
export function cookieFrom(response: Response, name = LOGIN_COOKIE): string {
  const header = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  expect(header, `Set-Cookie ${name}`).toBeDefined();
  return header!.split(';')[0]!;
}

export interface PendingLogin {
  cookie: string;
  requestId: string;
  verifier: string;
  params: AuthorizationParams;
}

/** /authorize then GET /login, as the in-app browser tab does. */
export async function startLogin(overrides: AuthorizationParams = {}): Promise<PendingLogin> {
  const { params, verifier } = await defaultAuthorization(overrides);
  const authorized = await call(authorizePath(params));
  expect(authorized.status).toBe(302);
  expect(authorized.headers.get('Location')).toBe('/login');
  const cookie = cookieFrom(authorized);
  const page = await call('/login', { headers: { Cookie: cookie } });
  expect(page.status).toBe(200);
  const requestId = /name="request_id" value="([^"]+)"/.exec(await page.text())?.[1];
  expect(requestId).toBeDefined();
  return { cookie, requestId: requestId!, verifier, params };
}

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

export interface IssuedCode {
  code: string;
  verifier: string;
  redirectUri: string;
  location: URL;
}

/** The whole front channel: authorize, sign in, and read the code off the redirect. */
export async function obtainCode(overrides: AuthorizationParams = {}): Promise<IssuedCode> {
  const pending = await startLogin(overrides);
  const response = await submitLogin(pending);
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('Location')!);
  const code = location.searchParams.get('code');
  expect(code).toBeTruthy();
  return { code: code!, verifier: pending.verifier, redirectUri: pending.params.redirect_uri!, location };
}

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

/** RFC 6749 section 5.2 error shape with `Cache-Control: no-store`. */
export async function expectOAuthError(response: Response, status: number, error: string): Promise<{ error: string; error_description: string }> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  const body = (await response.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
  return body;
}

export const SESSION_COOKIE = '__Host-edge-auth-session';

export interface TokenResponseBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

/** Signs in and redeems the code: the tokens a native app holds after its first sign-in. */
export async function signInForTokens(overrides: AuthorizationParams = {}): Promise<TokenResponseBody & { issued: IssuedCode }> {
  const issued = await obtainCode(overrides);
  const response = await redeem(issued, { client_id: overrides.client_id ?? 'demo-app' });
  expect(response.status).toBe(200);
  return { ...((await response.json()) as TokenResponseBody), issued };
}

export function refresh(refreshToken: string, overrides: Record<string, string | undefined> = {}): Promise<Response> {
  const body: Record<string, string> = {};
  for (const [name, value] of Object.entries({ grant_type: 'refresh_token', client_id: 'demo-app', refresh_token: refreshToken, ...overrides })) {
    if (value !== undefined) body[name] = value;
  }
  return call('/oauth/token', form(body));
}

/** The Example API's credentials from the dev seed (a confidential client), as HTTP Basic. */
export const DEMO_API_BASIC = `Basic ${btoa('demo-api:demo-api-secret')}`;

export async function introspect(token: string, authorization = DEMO_API_BASIC): Promise<Response> {
  return call('/oauth/introspect', form({ token }, { headers: { Authorization: authorization } }));
}
