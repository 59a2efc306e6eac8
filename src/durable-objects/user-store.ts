import {
  attemptSignIn, consentSummaries, emptyAccount, endAllSessions, endSession, grantSummary, isEmptyAccount, liveSession, nextExpiry,
  pruneAccount, recordConsent, refusedRequest, sessionSummaries, storedGrant,
  type AccountRecord, type Approval, type ApprovalResult, type ConsentSummary, type GrantSummary, type SessionSummary, type SignInInput,
  type SignInResult, type StoredGrant,
} from '../oauth/account-record';
import {
  isAccessTokenRevoked, redeemCode, refreshTokenState, revoke, revokeAccessToken, rotateRefreshToken, useDpopAccessToken,
  type AuthorizationGrant, type DpopAccessResult, type GrantRecord, type RedeemCodeInput, type RedeemResult, type RotateInput, type RotateResult,
} from '../oauth/grant-record';
import type { PresentedProof } from '../oauth/dpop-replay';
import { ACCOUNT_POLICY } from '../oauth/login-throttle';
import { PASSKEYS, UserPasskeys, type PasskeySummary } from './user-passkeys';
import { isRecentEnough } from '../oauth/prompt';
import { afterFirstFactor, approveRequest, factorMethod, resumedSession, sessionStrength, type AccountAccess, type FactorAnswer, type FactorRequest } from './user-factors';

const ACCOUNT = 'account';
const ALARM_AT = 'alarmAt';
const GRANT_PREFIX = 'grant:';
const grantKey = (grantId: string) => `${GRANT_PREFIX}${grantId}`;

/**
 * Alarms are set this far beyond what the records need, so the usual next steps (a code's
 * redemption, a day of refreshes) extend the retention without another setAlarm on the hot path.
 */
const ALARM_SLACK_MS = 25 * 3600 * 1000;

/**
 * One object per user, named by the user id (and a few for unknown emails, named by a hash
 * prefix): the unit of consistency for everything about that user. It holds the sign-in lock,
 * the sessions, the consents, and each grant from its code to its last refresh token, so that a
 * sign-in, a token request and "sign out everywhere" are each one call. Storage is synchronous
 * (SQLite-backed object) and every method reads, decides in pure code (src/oauth/account-record.ts,
 * src/oauth/grant-record.ts) and writes with no await in between: the first redemption or rotation
 * wins, and concurrent attempts are counted in arrival order.
 */
export class UserStore extends UserPasskeys {
  protected account(): AccountRecord {
    return this.ctx.storage.kv.get<AccountRecord>(ACCOUNT) ?? emptyAccount();
  }

  private stored(grantId: string): StoredGrant | undefined {
    return this.ctx.storage.kv.get<StoredGrant>(grantKey(grantId));
  }

  private grant(grantId: string): GrantRecord | undefined {
    return this.stored(grantId)?.record;
  }

  private grants(): [string, StoredGrant][] {
    return [...this.ctx.storage.kv.list<StoredGrant>({ prefix: GRANT_PREFIX })].map(([key, stored]) => [key.slice(GRANT_PREFIX.length), stored]);
  }

  /** Writes the account if it changed and the given grants, and makes sure an alarm will clean up after them. */
  private async save(before: AccountRecord, after: AccountRecord, grants: Record<string, StoredGrant> = {}): Promise<void> {
    const now = Date.now();
    let needed = 0;
    for (const [grantId, stored] of Object.entries(grants)) {
      this.ctx.storage.kv.put(grantKey(grantId), stored);
      needed = Math.max(needed, stored.retainUntil);
    }
    if (after !== before) {
      const account = pruneAccount(after, ACCOUNT_POLICY, now);
      this.ctx.storage.kv.put(ACCOUNT, account);
      needed = Math.max(needed, nextExpiry(account, ACCOUNT_POLICY) ?? 0);
    }
    if (needed === 0 || needed <= (this.ctx.storage.kv.get<number>(ALARM_AT) ?? 0)) return;
    this.ctx.storage.kv.put(ALARM_AT, needed + ALARM_SLACK_MS);
    await this.ctx.storage.setAlarm(needed + ALARM_SLACK_MS);
  }

  /** Writes one grant record, keeping when it was created. */
  private async saveGrant(grantId: string, record: GrantRecord): Promise<void> {
    const account = this.account();
    await this.save(account, account, { [grantId]: storedGrant(record, this.stored(grantId)?.createdAt ?? Date.now()) });
  }

  /** What src/durable-objects/user-factors.ts reads and writes through; `approval` approves a request (the code's grant when one is issued). */
  private readonly access: AccountAccess = {
    account: () => this.account(),
    save: (before, after, grants) => this.save(before, after, grants),
    approval: (account, approval, user) => approveRequest(account, approval, user, this.stored(approval.grantId) !== undefined),
  };

  /**
   * A sign-in, in one call: the lock decides first (a locked account refuses whatever the password
   * and records nothing), then a failure is recorded, or a success opens the session and issues
   * the code (or asks for consent).
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const now = Date.now();
    const before = this.account();
    const attempt = attemptSignIn(before, input.accountKey, input.passwordValid, ACCOUNT_POLICY, now);
    if (attempt.outcome !== 'succeeded' || !input.user) {
      await this.save(before, attempt.account);
      return { outcome: attempt.outcome === 'succeeded' ? 'failed' : attempt.outcome };
    }
    return afterFirstFactor(this.access, before, attempt.account, input.user, now);
  }

  /** The sign-in's second step, enrolment, removal, and what operators see. */
  async secondFactor(request: FactorRequest): Promise<FactorAnswer> {
    return factorMethod(request, this.access);
  }

  /** A first factor that proved enough (a password, or a passkey): the session, or the second step. */
  protected openSignedIn(before: AccountRecord, after: AccountRecord, user: NonNullable<SignInInput['user']>, now: number): Promise<SignInResult> {
    return afterFirstFactor(this.access, before, after, user, now);
  }

  /**
   * Single sign-on (OIDC Core 3.1.2.3): the session approves the request, if it is live and recent
   * enough for `max_age` (seconds). Undefined when there is no such session.
   */
  async approveWithSession(
    userId: string,
    session: { id: string; secretHash: string; maxAge: number | undefined },
    approval: Approval,
  ): Promise<{ authTime: number; amr: string[]; approval: ApprovalResult } | { stepUp: 'challenge' | 'enrol'; amr: string[] } | undefined> {
    const now = Date.now();
    const account = this.account();
    const live = liveSession(account, session.id, session.secretHash, now);
    if (!live || !isRecentEnough(live.authTime, session.maxAge, now)) return undefined;
    const { amr, stepUp } = sessionStrength(account, live, approval);
    if (stepUp) return { stepUp, amr };
    const approved = this.access.approval(account, approval, { userId, authTime: live.authTime, amr });
    await this.save(account, account, approved.grants);
    return { authTime: live.authTime, amr, approval: approved.result };
  }

  /** The user allowed the request on the consent page: remember it (per client and API) and issue the code. */
  async approveConsent(user: { userId: string; authTime: number; amr?: string[] | undefined }, approval: Approval): Promise<ApprovalResult> {
    const before = this.account();
    const consented = recordConsent(before, approval.consent);
    const approved = this.access.approval(consented, approval, user);
    await this.save(before, approved.result === 'code_issued' ? consented : before, approved.grants);
    return approved.result;
  }

  /** The user refused on the consent page: the request can never issue a code. */
  async closeRequest(grantId: string, clientId: string, requestExpiresAt: number): Promise<void> {
    if (this.stored(grantId) !== undefined) return;
    const account = this.account();
    await this.save(account, account, { [grantId]: refusedRequest(clientId, requestExpiresAt, Date.now()) });
  }

  /** A blocked user's grants were revoked when the block was set, so their codes and tokens fail here. */
  async redeemCode(grantId: string, input: RedeemCodeInput): Promise<RedeemResult> {
    const before = this.grant(grantId);
    const { record, result } = redeemCode(before, input, Date.now());
    if (record && record !== before) await this.saveGrant(grantId, record);
    return result;
  }

  async rotateRefreshToken(grantId: string, input: RotateInput): Promise<RotateResult> {
    const before = this.grant(grantId);
    const { record, result } = rotateRefreshToken(before, input, Date.now());
    if (record && record !== before) await this.saveGrant(grantId, record);
    return result;
  }

  /** RFC 7009: revoking a refresh token revokes its whole grant; only the client it was issued to may. */
  async revokeRefreshToken(grantId: string, tokenHash: string, clientId: string): Promise<boolean> {
    const before = this.grant(grantId);
    if (!before || before.grant.clientId !== clientId || refreshTokenState(before, tokenHash, Date.now()) === 'foreign') return false;
    await this.saveGrant(grantId, revoke(before, Date.now()));
    return true;
  }

  async revokeAccessToken(grantId: string, jti: string, clientId: string, expiresAt: number): Promise<boolean> {
    const before = this.grant(grantId);
    if (!before || before.grant.clientId !== clientId) return false;
    await this.saveGrant(grantId, revokeAccessToken(before, jti, expiresAt, Date.now()));
    return true;
  }

  /** Whether an access token of this grant may still be honoured: the grant stands, the token was not revoked, the user is not blocked. */
  async isAccessTokenLive(grantId: string, jti: string): Promise<boolean> {
    return !this.account().blocked && !isAccessTokenRevoked(this.grant(grantId), jti);
  }

  /** isAccessTokenLive for a DPoP-bound token, which also remembers the proof's jti (one call, as for a bearer token). */
  async useDpopAccessToken(grantId: string, jti: string, proof: PresentedProof): Promise<DpopAccessResult> {
    if (this.account().blocked) return 'revoked';
    const before = this.grant(grantId);
    const { record, result } = useDpopAccessToken(before, jti, proof, Date.now());
    if (record && record !== before) await this.saveGrant(grantId, record);
    return result;
  }

  /** For introspection: the grant behind a live refresh token, or undefined. */
  async activeRefreshGrant(grantId: string, tokenHash: string): Promise<{ grant: AuthorizationGrant; expiresAt: number } | undefined> {
    const record = this.grant(grantId);
    if (!record?.refresh || this.account().blocked || refreshTokenState(record, tokenHash, Date.now()) !== 'active') return undefined;
    const family = record.refresh;
    return { grant: record.grant, expiresAt: Math.min(family.absoluteExpiresAt, family.lastUsedAt + family.idleTtlMs) };
  }

  async resumeSession(sessionId: string, secretHash: string): Promise<{ authTime: number; amr: string[]; twoStep: { recoveryCodesLeft: number } | undefined } | undefined> {
    return resumedSession(this.account(), sessionId, secretHash, Date.now());
  }

  async endSession(sessionId: string): Promise<void> {
    const before = this.account();
    await this.save(before, endSession(before, sessionId));
  }

  // What operators see and do (Management API, CLI).

  async listSessions(): Promise<SessionSummary[]> {
    return sessionSummaries(this.account(), Date.now());
  }

  async listGrants(): Promise<GrantSummary[]> {
    const now = Date.now();
    return this.grants().map(([id, stored]) => grantSummary(id, stored, now));
  }

  /** Everything the object holds about the user, for their data export: no hash, no secret. */
  async exportAccount(): Promise<{ sessions: SessionSummary[]; grants: GrantSummary[]; consents: ConsentSummary[]; passkeys: PasskeySummary[] }> {
    return { sessions: await this.listSessions(), grants: await this.listGrants(), consents: consentSummaries(this.account()), passkeys: await this.listPasskeys() };
  }

  /** Ends one session; false when there was none. */
  async revokeSession(sessionId: string): Promise<boolean> {
    const before = this.account();
    if (!Object.hasOwn(before.sessions, sessionId)) return false;
    await this.save(before, endSession(before, sessionId));
    return true;
  }

  /** Revokes one grant: its refresh tokens stop working, its access tokens are refused where edge-auth checks them. */
  async revokeGrant(grantId: string): Promise<boolean> {
    const before = this.grant(grantId);
    if (!before) return false;
    await this.saveGrant(grantId, revoke(before, Date.now()));
    return true;
  }

  /** Sign out everywhere: every session ends and every grant is revoked, in one step. */
  async signOutEverywhere(): Promise<{ sessions: number; grants: number }> {
    return this.revokeAll((account) => account);
  }

  /** Blocking also signs the user out everywhere; unblocking restores nothing that was revoked. */
  async setBlocked(blocked: boolean): Promise<{ sessions: number; grants: number }> {
    if (!blocked) {
      const before = this.account();
      await this.save(before, { ...before, blocked: false });
      return { sessions: 0, grants: 0 };
    }
    return this.revokeAll((account) => ({ ...account, blocked: true }));
  }

  private async revokeAll(change: (account: AccountRecord) => AccountRecord): Promise<{ sessions: number; grants: number }> {
    const now = Date.now();
    const before = this.account();
    const revoked: Record<string, StoredGrant> = {};
    for (const [grantId, stored] of this.grants()) {
      if (stored.record && stored.record.revokedAt === undefined) revoked[grantId] = storedGrant(revoke(stored.record, now), stored.createdAt);
    }
    await this.save(before, change(endAllSessions(before)), revoked);
    return { sessions: Object.keys(before.sessions).length, grants: Object.keys(revoked).length };
  }

  /** The user is deleted: nothing of theirs is kept. */
  async deleteAll(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  /** Forgets expired grants, sessions and failures; empties the object when nothing is left. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    let needed = 0;
    for (const [grantId, stored] of this.grants()) {
      if (stored.retainUntil <= now) this.ctx.storage.kv.delete(grantKey(grantId));
      else needed = Math.max(needed, stored.retainUntil);
    }
    const account = pruneAccount(this.account(), ACCOUNT_POLICY, now);
    if (needed === 0 && isEmptyAccount(account) && !this.ctx.storage.kv.get(PASSKEYS)) {
      await this.ctx.storage.deleteAll();
      return;
    }
    this.ctx.storage.kv.put(ACCOUNT, account);
    needed = Math.max(needed, nextExpiry(account, ACCOUNT_POLICY) ?? 0);
    if (needed === 0) return;
    this.ctx.storage.kv.put(ALARM_AT, needed + ALARM_SLACK_MS);
    await this.ctx.storage.setAlarm(needed + ALARM_SLACK_MS);
  }
}

/** The object of a user, named by the user id. */
export function userStore(env: Env, userId: string): DurableObjectStub<UserStore> {
  return env.USERS.get(env.USERS.idFromName(`user:${userId}`));
}

/** Unknown emails get an account's lock and cost without a stored object per string: 256 objects by hash prefix, each counting at most MAX_FAILURE_KEYS emails. */
export function unknownAccountStore(env: Env, emailHash: string): DurableObjectStub<UserStore> {
  return env.USERS.get(env.USERS.idFromName(`unknown-emails:${emailHash.slice(0, 2)}`));
}
