import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppContext } from '../http/context';

/**
 * Our cookies are HttpOnly and SameSite=Lax: sent on the top-level navigation from the app, never
 * on a cross-site POST (login CSRF). On https they are `__Host-` and Secure, which pins them to our
 * origin and path `/` (RFC 6265bis section 4.1.3.2); browsers refuse both on plain http.
 */
function cookieName(c: AppContext, name: string): string {
  return c.var.config.secureCookies ? `__Host-${name}` : name;
}

export function setOurCookie(c: AppContext, name: string, value: string, maxAgeSeconds: number): void {
  const secure = c.var.config.secureCookies;
  setCookie(c, cookieName(c, name), value, { path: '/', httpOnly: true, secure, sameSite: 'Lax', maxAge: maxAgeSeconds });
}

export function getOurCookie(c: AppContext, name: string): string | undefined {
  return getCookie(c, cookieName(c, name)) || undefined;
}

export function clearOurCookie(c: AppContext, name: string): void {
  const secure = c.var.config.secureCookies;
  deleteCookie(c, cookieName(c, name), { path: '/', secure, httpOnly: true, sameSite: 'Lax' });
}
