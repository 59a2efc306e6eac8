import { DurableObject } from 'cloudflare:workers';
import {
  isAccessTokenRevoked,
  newGrantRecord,
  redeemCode,
  refreshTokenState,
  retainUntil,
  revoke,
  revokeAccessToken,
  rotateRefreshToken,
  type AuthorizationGrant,
  type GrantRecord,
  type RedeemCodeInput,
  type RedeemResult,
  type RotateInput,
  type RotateResult,
} from '../oauth/grant-record';

const KEY = 'grant';
const ALARM_KEY = 'alarmAt';

/**
 * Alarms are set this far beyond what the record needs, so that the usual next steps (a code's
 * redemption, a day of refreshes) extend the retention without another setAlarm on the hot path.
 */
const ALARM_SLACK_MS = 25 * 3600 * 1000;

/**
 * One object per authorization, named by its request id: it holds the code, then the grant the
 * code becomes, with its refresh-token family and revoked access tokens. The object is created
 * near the user who signs in. Storage calls are synchronous (SQLite-backed object) and every method
 * reads, decides (in pure code, src/oauth/grant-record.ts) and writes with no await in between, so
 * no other request can interleave: the first redemption or rotation wins.
 */
export class GrantStore extends DurableObject<Env> {
  private read(): GrantRecord | undefined {
    return this.ctx.storage.kv.get<GrantRecord>(KEY);
  }

  private async write(record: GrantRecord | undefined, before: GrantRecord | undefined): Promise<void> {
    if (!record || record === before) return;
    this.ctx.storage.kv.put(KEY, record);
    const needed = retainUntil(record);
    if (needed <= (this.ctx.storage.kv.get<number>(ALARM_KEY) ?? 0)) return;
    const alarmAt = needed + ALARM_SLACK_MS;
    this.ctx.storage.kv.put(ALARM_KEY, alarmAt);
    await this.ctx.storage.setAlarm(alarmAt);
  }

  /**
   * Stores the code of this authorization request. False when the request already has one: a
   * request is usable once, and the record is kept at least until the request itself expires.
   */
  async issueCode(codeHash: string, grant: AuthorizationGrant, requestExpiresAt: number): Promise<boolean> {
    if (this.read() !== undefined || this.ctx.storage.kv.get('closed') !== undefined) return false;
    await this.write(newGrantRecord(codeHash, grant, requestExpiresAt), undefined);
    return true;
  }

  /** Ends a request without a code (the user denied consent): it can never issue one afterwards. */
  async close(requestExpiresAt: number): Promise<void> {
    this.ctx.storage.kv.put('closed', true);
    await this.ctx.storage.setAlarm(requestExpiresAt);
  }

  async redeemCode(input: RedeemCodeInput): Promise<RedeemResult> {
    const before = this.read();
    const { record, result } = redeemCode(before, input, Date.now());
    await this.write(record, before);
    return result;
  }

  async rotateRefreshToken(input: RotateInput): Promise<RotateResult> {
    const before = this.read();
    const { record, result } = rotateRefreshToken(before, input, Date.now());
    await this.write(record, before);
    return result;
  }

  /**
   * RFC 7009: revoking a refresh token revokes its whole grant. Only the client it was issued to
   * may. Returns the user of the revoked grant, or undefined when nothing was revoked.
   */
  async revokeRefreshToken(tokenHash: string, clientId: string): Promise<string | undefined> {
    const before = this.read();
    if (!before || before.grant.clientId !== clientId) return undefined;
    if (refreshTokenState(before, tokenHash, Date.now()) === 'foreign') return undefined;
    await this.write(revoke(before, Date.now()), before);
    return before.grant.userId;
  }

  async revokeAccessToken(jti: string, clientId: string, expiresAt: number): Promise<string | undefined> {
    const before = this.read();
    if (!before || before.grant.clientId !== clientId) return undefined;
    await this.write(revokeAccessToken(before, jti, expiresAt, Date.now()), before);
    return before.grant.userId;
  }

  async isAccessTokenRevoked(jti: string): Promise<boolean> {
    return isAccessTokenRevoked(this.read(), jti);
  }

  /** For introspection: the grant behind a live refresh token, or undefined. */
  async activeRefreshGrant(tokenHash: string): Promise<{ grant: AuthorizationGrant; expiresAt: number } | undefined> {
    const record = this.read();
    if (!record?.refresh || refreshTokenState(record, tokenHash, Date.now()) !== 'active') return undefined;
    const family = record.refresh;
    return { grant: record.grant, expiresAt: Math.min(family.absoluteExpiresAt, family.lastUsedAt + family.idleTtlMs) };
  }

  override async alarm(): Promise<void> {
    const record = this.read();
    // A family still in use is kept; anything else is removed.
    if (record && retainUntil(record) > Date.now()) {
      this.ctx.storage.kv.put(ALARM_KEY, retainUntil(record));
      await this.ctx.storage.setAlarm(retainUntil(record));
      return;
    }
    await this.ctx.storage.deleteAll();
  }
}

export function grantStore(env: Env, grantId: string): DurableObjectStub<GrantStore> {
  return env.GRANTS.get(env.GRANTS.idFromName(grantId));
}
