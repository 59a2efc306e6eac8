import { DurableObject } from 'cloudflare:workers';
import { timingSafeEqual } from '../crypto/timing-safe';

/** A browser's single sign-on session (OIDC Core section 3.1.2.3: who signed in, and when). */
export interface Session {
  userId: string;
  /** Seconds since the epoch: the `auth_time` of every grant this session approves. */
  authTime: number;
}

interface StoredSession extends Session {
  secretHash: string;
  expiresAt: number;
}

/**
 * One object per session, named by the session id in the cookie, so a session can be ended
 * (logout, or an operator's revocation) wherever it is used next.
 */
export class SessionStore extends DurableObject<Env> {
  async start(secretHash: string, session: Session, expiresAt: number): Promise<void> {
    this.ctx.storage.kv.put<StoredSession>('session', { ...session, secretHash, expiresAt });
    await this.ctx.storage.setAlarm(expiresAt);
  }

  async resume(secretHash: string): Promise<Session | undefined> {
    const stored = this.ctx.storage.kv.get<StoredSession>('session');
    if (!stored || !timingSafeEqual(stored.secretHash, secretHash) || Date.now() >= stored.expiresAt) return undefined;
    return { userId: stored.userId, authTime: stored.authTime };
  }

  async end(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

export function sessionStore(env: Env, sessionId: string): DurableObjectStub<SessionStore> {
  return env.SESSIONS.get(env.SESSIONS.idFromName(sessionId));
}
