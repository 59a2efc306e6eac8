import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { getConfig } from '../config';
import { getSealingKey } from '../crypto/keys';
import { seal, unseal } from '../crypto/seal';
import { asLoginRequest, type LoginRequest } from '../oauth/login-request';

const PURPOSE = 'edge-auth/login-request/v1';

/** `__Host-` pins the cookie to our origin, path `/`, Secure: possible only on https (RFC 6265bis 4.1.3.2). */
function cookieName(secure: boolean): string {
  return secure ? '__Host-edge-auth-login' : 'edge-auth-login';
}

export async function setLoginRequestCookie(c: Context<{ Bindings: Env }>, request: LoginRequest): Promise<void> {
  const config = getConfig(c.env);
  const value = await seal(await getSealingKey(c.env), PURPOSE, request);
  setCookie(c, cookieName(config.secureCookies), value, {
    path: '/',
    httpOnly: true,
    secure: config.secureCookies,
    // Lax: sent on the top-level navigation from the app, never on a cross-site POST (login CSRF).
    sameSite: 'Lax',
    maxAge: config.loginRequestTtlSeconds,
  });
}

/** The browser's pending request, or undefined when it has none, it expired, or the cookie is not ours. */
export async function readLoginRequestCookie(c: Context<{ Bindings: Env }>): Promise<LoginRequest | undefined> {
  const config = getConfig(c.env);
  const value = getCookie(c, cookieName(config.secureCookies));
  if (!value) return undefined;
  const request = asLoginRequest(await unseal(await getSealingKey(c.env), PURPOSE, value));
  if (!request || request.expiresAt <= Date.now()) return undefined;
  return request;
}

export function clearLoginRequestCookie(c: Context<{ Bindings: Env }>): void {
  const config = getConfig(c.env);
  deleteCookie(c, cookieName(config.secureCookies), { path: '/', secure: config.secureCookies, httpOnly: true, sameSite: 'Lax' });
}
