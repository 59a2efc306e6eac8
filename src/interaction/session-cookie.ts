import { sha256Base64url } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import type { NewSession } from '../oauth/account-record';
import { userStore } from '../durable-objects/user-store';
import type { AppContext } from '../http/context';
import { encodeHandle, parseHandle } from '../oauth/grant-handle';
import { isRecentEnough } from '../oauth/prompt';
import { clearOurCookie, getOurCookie, setOurCookie } from './cookie-policy';

const COOKIE = 'edge-auth-session';

/**
 * A new single sign-on session for the user's object to open: `<user id>.<session id>.<secret>`
 * for the cookie, the secret's hash for the object.
 */
export async function newSession(c: AppContext, userId: string): Promise<NewSession & { handle: string }> {
  const id = randomToken(16);
  const handle = encodeHandle({ userId, id }, randomToken(32));
  return { id, handle, secretHash: await sha256Base64url(handle), expiresAt: Date.now() + c.var.config.sessionTtlSeconds * 1000 };
}

/** Once the object has opened the session. */
export function setSessionCookie(c: AppContext, session: { handle: string }): void {
  setOurCookie(c, COOKIE, session.handle, c.var.config.sessionTtlSeconds);
}

/** The browser's session cookie, parsed: whose it is, and what the object must check. Not yet verified. */
export interface SessionCookie {
  userId: string;
  sessionId: string;
  secretHash: string;
}

export async function readSessionCookie(c: AppContext): Promise<SessionCookie | undefined> {
  const handle = getOurCookie(c, COOKIE);
  const target = handle === undefined ? undefined : parseHandle(handle);
  if (!handle || !target) return undefined;
  return { userId: target.userId, sessionId: target.id, secretHash: await sha256Base64url(handle) };
}

/** The browser's live session, or undefined (none, ended, expired, blocked, or not ours). */
export async function currentSession(c: AppContext): Promise<(SessionCookie & { authTime: number; twoStep: { recoveryCodesLeft: number } | undefined }) | undefined> {
  const cookie = await readSessionCookie(c);
  const live = cookie && (await userStore(c.env, cookie.userId).resumeSession(cookie.sessionId, cookie.secretHash));
  return live && cookie && { ...cookie, authTime: live.authTime, twoStep: live.twoStep };
}

/** Whether the cookie's session is live and, when the app sent `max_age`, recent enough. */
export async function liveSession(c: AppContext, cookie: SessionCookie, maxAge: number | undefined): Promise<boolean> {
  const live = await userStore(c.env, cookie.userId).resumeSession(cookie.sessionId, cookie.secretHash);
  return !!live && isRecentEnough(live.authTime, maxAge, Date.now());
}

export async function endSession(c: AppContext, session: SessionCookie | undefined): Promise<void> {
  if (session) await userStore(c.env, session.userId).endSession(session.sessionId);
  clearOurCookie(c, COOKIE);
}
