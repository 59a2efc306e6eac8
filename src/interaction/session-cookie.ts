import { sha256Base64url } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { sessionStore, type Session } from '../durable-objects/session-store';
import { encodeHandle, handleId } from '../oauth/grant-handle';
import type { AppContext } from '../http/context';
import { clearOurCookie, getOurCookie, setOurCookie } from './cookie-policy';

const COOKIE = 'edge-auth-session';

/** Starts a single sign-on session: `<session id>.<secret>` in the cookie, the secret's hash in its object. */
export async function startSession(c: AppContext, session: Session): Promise<void> {
  const ttl = c.var.config.sessionTtlSeconds;
  const sessionId = randomToken(16);
  const handle = encodeHandle(sessionId, randomToken(32));
  await sessionStore(c.env, sessionId).start(await sha256Base64url(handle), session, Date.now() + ttl * 1000);
  setOurCookie(c, COOKIE, handle, ttl);
}

export interface CurrentSession extends Session {
  sessionId: string;
}

/** The browser's live session, or undefined (none, ended, expired, or not ours). */
export async function currentSession(c: AppContext): Promise<CurrentSession | undefined> {
  const handle = getOurCookie(c, COOKIE);
  const sessionId = handle === undefined ? undefined : handleId(handle);
  if (!handle || !sessionId) return undefined;
  const session = await sessionStore(c.env, sessionId).resume(await sha256Base64url(handle));
  return session && { ...session, sessionId };
}

export async function endSession(c: AppContext, sessionId: string | undefined): Promise<void> {
  if (sessionId) await sessionStore(c.env, sessionId).end();
  clearOurCookie(c, COOKIE);
}
