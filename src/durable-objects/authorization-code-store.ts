import { DurableObject } from 'cloudflare:workers';
import { timingSafeEqual } from '../crypto/timing-safe';

/** What an authorization code stands for: everything the token endpoint needs, captured at login. */
export interface AuthorizationGrant {
  clientId: string;
  /** The exact redirect_uri of the authorization request (RFC 6749 section 4.1.3). */
  redirectUri: string;
  /** S256 code challenge (RFC 7636 section 4.2); undefined only for a confidential client without PKCE. */
  codeChallenge: string | undefined;
  scopes: string[];
  audience: string;
  userId: string;
  nonce: string | undefined;
  /** When the user authenticated, in seconds (OIDC `auth_time`). */
  authTime: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

interface StoredCode {
  /** SHA-256 of the code: the value itself is never stored. */
  codeHash: string;
  grant: AuthorizationGrant;
  redeemedAt: number | undefined;
  replays: number;
}

export type RedeemResult =
  | { ok: true; grant: AuthorizationGrant }
  | { ok: false; reason: 'unknown' | 'expired' | 'replayed' };

/**
 * One object per authorization request, named by its id: the object is created near the user who
 * signs in, and the first `issue` and the first `redeem` win. Storage calls are synchronous
 * (SQLite-backed object), so there is no await between reading and consuming a code: no other
 * request can run in between.
 */
export class AuthorizationCodeStore extends DurableObject<Env> {
  /**
   * Stores the code for this authorization request. False when the request already has one: a
   * request is usable once. `keepUntil` (at least the code's expiry, and the request's own expiry)
   * is when the alarm removes the record; until then replays and reuse of the request are recognised.
   */
  async issue(codeHash: string, grant: AuthorizationGrant, keepUntil: number): Promise<boolean> {
    if (this.ctx.storage.kv.get('code') !== undefined) return false;
    const stored: StoredCode = { codeHash, grant, redeemedAt: undefined, replays: 0 };
    this.ctx.storage.kv.put('code', stored);
    await this.ctx.storage.setAlarm(Math.max(keepUntil, grant.expiresAt));
    return true;
  }

  /** Checks and consumes the code in one synchronous step (RFC 6749 section 4.1.2: a code is used once). */
  async redeem(codeHash: string): Promise<RedeemResult> {
    const stored = this.ctx.storage.kv.get<StoredCode>('code');
    if (!stored || !timingSafeEqual(stored.codeHash, codeHash)) return { ok: false, reason: 'unknown' };
    if (stored.redeemedAt !== undefined) {
      this.ctx.storage.kv.put('code', { ...stored, replays: stored.replays + 1 });
      return { ok: false, reason: 'replayed' };
    }
    if (Date.now() >= stored.grant.expiresAt) return { ok: false, reason: 'expired' };
    this.ctx.storage.kv.put('code', { ...stored, redeemedAt: Date.now() });
    return { ok: true, grant: stored.grant };
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

export function authorizationCodeStore(env: Env, requestId: string): DurableObjectStub<AuthorizationCodeStore> {
  return env.AUTHORIZATION_CODES.get(env.AUTHORIZATION_CODES.idFromName(requestId));
}
