import { seal, unseal } from '../crypto/seal';
import { invalidRequest } from '../errors/oauth-error';
import type { AppContext } from '../http/context';
import { asLoginRequest, pendingRequestGone, type LoginRequest } from '../oauth/login-request';
import { getSealingKey } from '../tokens/key-cache';
import { clearOurCookie, getOurCookie, setOurCookie } from './cookie-policy';

const COOKIE = 'edge-auth-login';
const PURPOSE = 'edge-auth/login-request/v1';

/**
 * Browsers keep cookies of up to 4,096 bytes, name included (RFC 6265 section 6.1); a larger one
 * is silently dropped and the user would land on "session expired". The request is sealed again
 * with the signed-in user while it waits for consent, so /authorize leaves room for that.
 */
const MAX_VALUE_BYTES = 4096 - '__Host-'.length - COOKIE.length - 1;
const ROOM_FOR_CONSENT_BYTES = 200;

export async function setLoginRequestCookie(c: AppContext, request: LoginRequest): Promise<void> {
  const value = await seal(await getSealingKey(c.env), PURPOSE, request);
  const limit = request.authenticated ? MAX_VALUE_BYTES : MAX_VALUE_BYTES - ROOM_FOR_CONSENT_BYTES;
  if (value.length > limit) throw invalidRequest('The authorization request is too large.');
  setOurCookie(c, COOKIE, value, c.var.config.loginRequestTtlSeconds);
}

/** The browser's pending request, read only (a page that merely speaks its language, and posts only to us). */
export async function peekLoginRequestCookie(c: AppContext): Promise<LoginRequest | undefined> {
  const value = getOurCookie(c, COOKIE);
  if (!value) return undefined;
  const request = asLoginRequest(await unseal(await getSealingKey(c.env), PURPOSE, value));
  return request && request.expiresAt > Date.now() ? request : undefined;
}

/** The browser's pending request, or undefined when it has none, it expired, or the cookie is not ours. */
export async function readLoginRequestCookie(c: AppContext): Promise<LoginRequest | undefined> {
  const request = await peekLoginRequestCookie(c);
  if (!request) return undefined;
  // The login and consent forms post to us, and the answer may be a 303 to the app's redirect URI,
  // which Chromium checks against the page's CSP form-action too.
  c.set('formTargets', [request.redirectUri]);
  c.set('flowLocale', request.locale);
  return request;
}

/** The browser's pending request, or the page that says it is gone. */
export async function pendingRequest(c: AppContext): Promise<LoginRequest> {
  const request = await readLoginRequestCookie(c);
  if (!request) throw pendingRequestGone();
  return request;
}

export function clearLoginRequestCookie(c: AppContext): void {
  clearOurCookie(c, COOKIE);
}
