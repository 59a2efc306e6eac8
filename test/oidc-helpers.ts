/** Shared by the single sign-on, userinfo and logout tests. */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import { sessionStore, type SessionStore } from '../src/durable-objects/session-store';
import {
  authorizePath,
  call,
  cookieFrom,
  defaultAuthorization,
  DEMO_REDIRECT,
  ISSUER,
  LOGIN_COOKIE,
  redeem,
  SESSION_COOKIE,
  startLogin,
  submitLogin,
  type AuthorizationParams,
  type IssuedCode,
  type TokenResponseBody,
} from './helpers';

export const SIGNED_OUT_URI = 'com.example.demo:/signed-out';
export const SESSION_TTL_SECONDS = 7 * 86_400;

/** What SessionStore keeps under 'session' (src/durable-objects/session-store.ts). */
export interface StoredSession {
  userId: string;
  authTime: number;
  secretHash: string;
  expiresAt: number;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** The attributes of one Set-Cookie header, names lower-cased; flags map to true. */
export function cookieAttributes(setCookie: string): Map<string, string | true> {
  const attributes = new Map<string, string | true>();
  for (const part of setCookie.split(';').slice(1)) {
    const [name, ...value] = part.trim().split('=');
    attributes.set(name!.toLowerCase(), value.length === 0 ? true : value.join('='));
  }
  return attributes;
}

export function setCookieFor(response: Response, name: string): string | undefined {
  return response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
}

/** The session id is the handle's part before the dot: `<session id>.<secret>`. */
export function sessionIdOf(cookie: string): string {
  return cookie.slice(`${SESSION_COOKIE}=`.length).split('.')[0]!;
}

export interface SignedIn {
  /** `__Host-edge-auth-session=<handle>`, ready for a Cookie header. */
  cookie: string;
  sessionId: string;
  issued: IssuedCode;
  loginResponse: Response;
}

/** Authorize, sign in with the password: the browser now holds a single sign-on session. */
export async function signIn(overrides: AuthorizationParams = {}): Promise<SignedIn> {
  const pending = await startLogin(overrides);
  const loginResponse = await submitLogin(pending);
  expect(loginResponse.status).toBe(303);
  const location = new URL(loginResponse.headers.get('Location')!);
  const cookie = cookieFrom(loginResponse, SESSION_COOKIE);
  return {
    cookie,
    sessionId: sessionIdOf(cookie),
    issued: { code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: pending.params.redirect_uri!, location },
    loginResponse,
  };
}

/** A fresh authorization request from a browser that sends `cookie` (or none). */
export async function authorizeWith(cookie: string | undefined, overrides: AuthorizationParams = {}) {
  const { params, verifier } = await defaultAuthorization(overrides);
  const response = await call(authorizePath(params), cookie === undefined ? {} : { headers: { Cookie: cookie } });
  return { response, params, verifier };
}

/** /authorize answered with the login page: the session was not used. */
export function expectLoginRedirect(response: Response): void {
  expect(response.status).toBe(302);
  expect(response.headers.get('Location')).toBe('/login');
  expect(setCookieFor(response, LOGIN_COOKIE)).toBeDefined();
}

/** /authorize answered straight back to the app with a code (OIDC Core 3.1.2.5, RFC 9207). */
export function expectCodeRedirect(response: Response, verifier: string, state: string | undefined = 'state-123'): IssuedCode {
  expect(response.status).toBe(302);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  const raw = response.headers.get('Location')!;
  expect(raw.startsWith(`${DEMO_REDIRECT}?`)).toBe(true);
  const location = new URL(raw);
  expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  expect(location.searchParams.get('state')).toBe(state ?? null);
  expect(location.searchParams.get('iss')).toBe(ISSUER);
  expect(location.searchParams.get('error')).toBeNull();
  expect(setCookieFor(response, LOGIN_COOKIE)).toBeUndefined();
  return { code: location.searchParams.get('code')!, verifier, redirectUri: DEMO_REDIRECT, location };
}

/** An error sent back to the app's redirect URI with state and iss, and no code. */
export function expectErrorRedirect(response: Response, error: string, state = 'state-123'): URLSearchParams {
  expect(response.status).toBe(302);
  const raw = response.headers.get('Location')!;
  expect(raw.startsWith(`${DEMO_REDIRECT}?`)).toBe(true);
  const params = new URL(raw).searchParams;
  expect(params.get('error')).toBe(error);
  expect(params.get('error_description')).toBeTruthy();
  expect(params.get('state')).toBe(state);
  expect(params.get('iss')).toBe(ISSUER);
  expect(params.get('code')).toBeNull();
  expect(setCookieFor(response, LOGIN_COOKIE)).toBeUndefined();
  return params;
}

/** Headers every HTML page of ours carries (src/views/page-response.tsx). */
export function expectPageHeaders(response: Response): void {
  expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  expect(response.headers.get('X-Frame-Options')).toBe('DENY');
  const csp = response.headers.get('Content-Security-Policy')!;
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
}

/** A refused request shown to the person: a 400 page and never a redirect. */
export async function expectErrorPage(response: Response): Promise<string> {
  expect(response.status).toBe(400);
  expect(response.headers.get('Location')).toBeNull();
  expectPageHeaders(response);
  const html = await response.text();
  expect(html).toContain('<h1>');
  return html;
}

export function readSession(sessionId: string): Promise<StoredSession | undefined> {
  return runInDurableObject(sessionStore(env, sessionId), (_instance: SessionStore, state) => state.storage.kv.get<StoredSession>('session'));
}

/** Rewrites the stored session, as time would (no sleeping). */
export async function changeSession(sessionId: string, change: (stored: StoredSession) => StoredSession): Promise<StoredSession> {
  return runInDurableObject(sessionStore(env, sessionId), (_instance: SessionStore, state) => {
    const stored = state.storage.kv.get<StoredSession>('session');
    expect(stored, 'a stored session').toBeDefined();
    const changed = change(stored!);
    state.storage.kv.put('session', changed);
    return changed;
  });
}

export async function verifiedIdToken(idToken: string): Promise<JWTPayload> {
  const jwks = (await (await call('/.well-known/jwks.json')).json()) as { keys: [] };
  const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: ISSUER, audience: 'demo-app' });
  return payload;
}

export async function redeemForTokens(issued: IssuedCode): Promise<TokenResponseBody> {
  const response = await redeem(issued);
  expect(response.status).toBe(200);
  return (await response.json()) as TokenResponseBody;
}

/** Changes one character in the middle of a string, keeping it well-formed. */
export function flipAt(value: string, index: number): string {
  return `${value.slice(0, index)}${value[index] === 'A' ? 'B' : 'A'}${value.slice(index + 1)}`;
}

// ---------------------------------------------------------------------------------------------
// Single sign-on (OIDC Core 3.1.2.3)
// ---------------------------------------------------------------------------------------------


/** userinfo and logout accept both methods; each test runs for both. */
export type Method = 'GET' | 'POST';
export const METHODS: Method[] = ['GET', 'POST'];
