import { timingSafeEqual } from '../crypto/timing-safe';
import { needsConsent } from './consent';
import { newGrantRecord, retainUntil, type AuthorizationGrant, type GrantRecord } from './grant-record';
import { lockedUntil, withFailure, type ThrottlePolicy } from './login-throttle';

/**
 * Everything about one user that must change in order, kept by the user's Durable Object beside
 * the user's grants (src/oauth/grant-record.ts, each stored under its own key, so this record stays
 * small however often the user signs in): the sign-in lock, the single sign-on sessions, the
 * consents, and whether the user is blocked. Pure: the object reads, calls these, and writes, with
 * no await in between.
 */
export interface AccountRecord {
  /** Recent failed sign-ins per account key: one key for a user; many, bounded, for unknown emails. */
  failures: Record<string, number[]>;
  sessions: Record<string, StoredSession>;
  /** Allowed scopes per client and API: `<client id> <audience>` (OIDC Core 3.1.2.4). */
  consents: Record<string, string[]>;
  /** Set by an operator: no sign-in, session, code, refresh or token check succeeds. */
  blocked: boolean;
}

/** A browser's single sign-on session (OIDC Core section 3.1.2.3). */
export interface StoredSession {
  secretHash: string;
  /** Seconds since the epoch: the `auth_time` of every grant this session approves. */
  authTime: number;
  createdAt: number;
  expiresAt: number;
  /** RFC 8176 methods of the sign-in that opened it (absent: a password, `pwd`). */
  amr?: string[] | undefined;
}

/**
 * A grant as the user's object stores it: what operators see of it and how long it is kept, and
 * its record (none for a request the user refused: it may never issue a code).
 */
export interface StoredGrant {
  clientId: string;
  createdAt: number;
  /** When it may be deleted (src/oauth/grant-record.ts `retainUntil`). */
  retainUntil: number;
  record: GrantRecord | undefined;
}

/** The stored form of a grant record, keeping when it was created. */
export function storedGrant(record: GrantRecord, createdAt: number): StoredGrant {
  return { clientId: record.grant.clientId, createdAt, retainUntil: retainUntil(record), record };
}

/** A user keeps at most this many sessions (browsers); signing in on one more ends the oldest. */
export const MAX_SESSIONS = 50;
/** An object for unknown emails counts at most this many of them; the oldest are forgotten. */
export const MAX_FAILURE_KEYS = 500;

export function emptyAccount(): AccountRecord {
  return { failures: {}, sessions: {}, consents: {}, blocked: false };
}

export type AttemptOutcome = 'locked' | 'failed' | 'succeeded';

/**
 * One sign-in attempt (RFC 9700 section 4.16, OWASP authentication guidance). A locked account
 * refuses without looking at the password and records nothing, so a refused attempt never counts
 * against the account and costs the same whatever the password; a wrong password is recorded, a
 * right one clears the record.
 */
export function attemptSignIn(
  account: AccountRecord,
  key: string,
  passwordValid: boolean,
  policy: ThrottlePolicy,
  now: number,
): { account: AccountRecord; outcome: AttemptOutcome } {
  const failures = account.failures[key] ?? [];
  if (lockedUntil(failures, policy, now) > now) return { account, outcome: 'locked' };
  if (!passwordValid || account.blocked) {
    return { account: { ...account, failures: boundedFailures({ ...account.failures, [key]: withFailure(failures, policy, now) }, policy, now) }, outcome: 'failed' };
  }
  const { [key]: _cleared, ...rest } = account.failures;
  return { account: { ...account, failures: rest }, outcome: 'succeeded' };
}

/** Drops counters with nothing left in the window, then the oldest beyond MAX_FAILURE_KEYS. */
function boundedFailures(failures: Record<string, number[]>, policy: ThrottlePolicy, now: number): Record<string, number[]> {
  const live = Object.entries(failures).filter(([, times]) => times.some((at) => at > now - policy.windowMs));
  live.sort(([, a], [, b]) => (a[a.length - 1] ?? 0) - (b[b.length - 1] ?? 0));
  return Object.fromEntries(live.slice(-MAX_FAILURE_KEYS));
}

export function openSession(account: AccountRecord, sessionId: string, session: StoredSession, now: number): AccountRecord {
  const live = Object.entries(account.sessions).filter(([, s]) => s.expiresAt > now);
  live.sort(([, a], [, b]) => a.createdAt - b.createdAt);
  return { ...account, sessions: Object.fromEntries([...live.slice(-(MAX_SESSIONS - 1)), [sessionId, session]]) };
}

/** The live session of this id and secret, or undefined (none, ended, expired, not this secret, or blocked). */
export function liveSession(account: AccountRecord, sessionId: string, secretHash: string, now: number): StoredSession | undefined {
  const session = Object.hasOwn(account.sessions, sessionId) ? account.sessions[sessionId] : undefined;
  if (!session || account.blocked || now >= session.expiresAt || !timingSafeEqual(session.secretHash, secretHash)) return undefined;
  return session;
}

export function endSession(account: AccountRecord, sessionId: string): AccountRecord {
  const { [sessionId]: _ended, ...sessions } = account.sessions;
  return { ...account, sessions };
}

/** What the client asks of the user, to compare with what the user allowed before. */
export interface ConsentRequest {
  clientId: string;
  audience: string;
  scopes: readonly string[];
  /** The client is a third party that must ask (per-client setting). */
  requireConsent: boolean;
  /** `prompt=consent`: ask even if the user allowed these scopes before. */
  forceConsent: boolean;
}

const consentKey = (clientId: string, audience: string) => `${clientId} ${audience}`;

export function mustAskConsent(account: AccountRecord, request: ConsentRequest): boolean {
  const allowed = account.consents[consentKey(request.clientId, request.audience)] ?? [];
  return needsConsent({ forceConsent: request.forceConsent, requireConsent: request.requireConsent, requested: request.scopes, allowed });
}

/** Consent accumulates per client and API, as Auth0's does. */
export function recordConsent(account: AccountRecord, request: ConsentRequest): AccountRecord {
  const key = consentKey(request.clientId, request.audience);
  const allowed = [...new Set([...(account.consents[key] ?? []), ...request.scopes])];
  return { ...account, consents: { ...account.consents, [key]: allowed } };
}

/** Sign out everywhere: every session ends. The object revokes every grant beside it. */
export function endAllSessions(account: AccountRecord): AccountRecord {
  return { ...account, sessions: {} };
}

/** Forgets what nothing needs any more: expired sessions and old failures. */
export function pruneAccount(account: AccountRecord, policy: ThrottlePolicy, now: number): AccountRecord {
  const sessions = Object.fromEntries(Object.entries(account.sessions).filter(([, s]) => s.expiresAt > now));
  return { ...account, sessions, failures: boundedFailures(account.failures, policy, now) };
}

/** When the account record next has something to forget; undefined when nothing in it expires. */
export function nextExpiry(account: AccountRecord, policy: ThrottlePolicy): number | undefined {
  const times = [
    ...Object.values(account.sessions).map((s) => s.expiresAt),
    ...Object.values(account.failures).map((times) => (times[times.length - 1] ?? 0) + policy.windowMs),
  ];
  return times.length === 0 ? undefined : Math.max(...times);
}

/** Whether the account record holds nothing worth keeping: no sessions, failures, consents or block. */
export function isEmptyAccount(account: AccountRecord): boolean {
  return (
    !account.blocked &&
    Object.keys(account.sessions).length === 0 &&
    Object.keys(account.failures).length === 0 &&
    Object.keys(account.consents).length === 0
  );
}

/** A code the user's approval may issue: the request, its code's hash, and what it asks consent for. */
export interface Approval {
  grantId: string;
  codeHash: string;
  grant: Omit<AuthorizationGrant, 'userId' | 'authTime'>;
  /** The request may not issue another code before this time (ms). */
  requestExpiresAt: number;
  consent: ConsentRequest;
  /** The client requires a confirmed address and the user's is not: no code until it is. */
  verifyEmailFirst: boolean;
}

export type ApprovalResult = 'code_issued' | 'verification_required' | 'consent_required' | 'request_used' | 'blocked';

/**
 * Issues the code of an approved request, unless the user must confirm their address or consent
 * first, or the request already issued one (a request is usable once: `requestUsed` says the
 * object holds a grant, or a refusal, under its id).
 */
export function approve(
  account: AccountRecord,
  approval: Approval,
  user: { userId: string; authTime: number },
  requestUsed: boolean,
): { record: GrantRecord | undefined; result: ApprovalResult } {
  if (account.blocked) return { record: undefined, result: 'blocked' };
  if (requestUsed) return { record: undefined, result: 'request_used' };
  if (approval.verifyEmailFirst) return { record: undefined, result: 'verification_required' };
  if (mustAskConsent(account, approval.consent)) return { record: undefined, result: 'consent_required' };
  const record = newGrantRecord(approval.codeHash, { ...approval.grant, ...user }, approval.requestExpiresAt);
  return { record, result: 'code_issued' };
}

/** A request the user refused at the consent page: kept until it expires, so it never issues a code. */
export function refusedRequest(clientId: string, requestExpiresAt: number, now: number): StoredGrant {
  return { clientId, createdAt: now, retainUntil: requestExpiresAt, record: undefined };
}

// What the user's object is asked and answers (src/durable-objects/user-store.ts).

export interface NewSession {
  id: string;
  secretHash: string;
  expiresAt: number;
}

export interface SignInInput {
  /** The user id for a user's object; a hash of the email in an object for unknown emails. */
  accountKey: string;
  /** The password was right and the user exists and is not blocked in D1. */
  passwordValid: boolean;
  /** Absent for unknown emails; `approval` absent for a sign-in to the account page, which issues no code. */
  user?: { userId: string; session: NewSession; approval?: Approval | undefined; amr?: string[] | undefined };
}

export type SignInResult =
  | { outcome: Exclude<AttemptOutcome, 'succeeded'> }
  | { outcome: 'succeeded'; authTime: number; approval?: ApprovalResult | undefined };

export interface SessionSummary {
  id: string;
  authTime: number;
  createdAt: number;
  expiresAt: number;
}

export interface GrantSummary {
  id: string;
  clientId: string;
  createdAt: number;
  retainUntil: number;
  scopes: string[] | undefined;
  audience: string | undefined;
  revoked: boolean;
  refreshTokenActive: boolean;
}

/** The live sessions, as operators and the user's data export see them: never a hash. */
export function sessionSummaries(account: AccountRecord, now: number): SessionSummary[] {
  return Object.entries(account.sessions)
    .filter(([, session]) => session.expiresAt > now)
    .map(([id, session]) => ({ id, authTime: session.authTime, createdAt: session.createdAt, expiresAt: session.expiresAt }));
}

/** What the user allowed, per client and API (the consent page remembers it). */
export interface ConsentSummary {
  clientId: string;
  audience: string;
  scopes: string[];
}

export function consentSummaries(account: AccountRecord): ConsentSummary[] {
  return Object.entries(account.consents).map(([key, scopes]) => {
    const [clientId = '', audience = ''] = key.split(' ');
    return { clientId, audience, scopes };
  });
}

/** What operators see of a grant: never a hash. */
export function grantSummary(id: string, stored: StoredGrant, now: number): GrantSummary {
  const record = stored.record;
  const family = record?.refresh;
  const revoked = record === undefined || record.revokedAt !== undefined;
  return {
    id,
    clientId: stored.clientId,
    createdAt: stored.createdAt,
    retainUntil: stored.retainUntil,
    scopes: record?.grant.scopes,
    audience: record?.grant.audience,
    revoked,
    refreshTokenActive: !!family && !revoked && now < Math.min(family.absoluteExpiresAt, family.lastUsedAt + family.idleTtlMs),
  };
}
