/**
 * The user's account record (src/oauth/account-record.ts) as a state machine over explicit
 * instants: the lock and the refused-attempt rule, sessions, consent per client and API, the one
 * code per request, and what is forgotten when.
 */
import { describe, expect, it } from 'vitest';
import {
  approve,
  attemptSignIn,
  emptyAccount,
  endAllSessions,
  isEmptyAccount,
  liveSession,
  MAX_FAILURE_KEYS,
  MAX_SESSIONS,
  mustAskConsent,
  nextExpiry,
  openSession,
  pruneAccount,
  recordConsent,
  refusedRequest,
  storedGrant,
  type AccountRecord,
  type Approval,
  type ConsentRequest,
} from '../../src/oauth/account-record';
import { ACCOUNT_POLICY } from '../../src/oauth/login-throttle';
import { MINUTE, SECOND, T0 } from './clock';

const policy = ACCOUNT_POLICY;
const USER = 'user_a';

function fail(account: AccountRecord, times: number, from = T0, key = USER): AccountRecord {
  for (let i = 0; i < times; i++) account = attemptSignIn(account, key, false, policy, from + i * SECOND).account;
  return account;
}

const consent = (overrides: Partial<ConsentRequest> = {}): ConsentRequest => ({
  clientId: 'partner-app',
  audience: 'https://api.example.com',
  scopes: ['openid', 'read:items'],
  requireConsent: true,
  forceConsent: false,
  ...overrides,
});

const approval = (grantId: string, overrides: Partial<ConsentRequest> = {}): Approval => ({
  grantId,
  codeHash: `hash-of-${grantId}`,
  grant: {
    clientId: 'partner-app',
    redirectUri: 'com.example.partner:/callback',
    codeChallenge: 'c'.repeat(43),
    scopes: ['openid', 'read:items'],
    audience: 'https://api.example.com',
    nonce: undefined,
    expiresAt: T0 + MINUTE,
  },
  requestExpiresAt: T0 + 10 * MINUTE,
  consent: consent(overrides),
  verifyEmailFirst: false,
});

describe('attemptSignIn: the lock', () => {
  it('records wrong passwords and locks after the threshold', () => {
    const account = fail(emptyAccount(), policy.threshold);
    expect(account.failures[USER]).toHaveLength(policy.threshold);
    expect(attemptSignIn(account, USER, true, policy, T0 + 10 * SECOND).outcome).toBe('locked');
  });

  it('a refused attempt records nothing and is the same for a right and a wrong password', () => {
    const locked = fail(emptyAccount(), policy.threshold);
    const right = attemptSignIn(locked, USER, true, policy, T0 + 10 * SECOND);
    const wrong = attemptSignIn(locked, USER, false, policy, T0 + 10 * SECOND);
    expect(right).toEqual({ account: locked, outcome: 'locked' });
    expect(wrong).toEqual({ account: locked, outcome: 'locked' });
    // Same object: nothing is written for either.
    expect(right.account).toBe(locked);
    expect(wrong.account).toBe(locked);
  });

  it('a burst of guesses decided in arrival order gets only the threshold evaluated', () => {
    let account = emptyAccount();
    const outcomes = [];
    for (let i = 0; i < 20; i++) {
      const attempt = attemptSignIn(account, USER, i === 19, policy, T0);
      account = attempt.account;
      outcomes.push(attempt.outcome);
    }
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(policy.threshold);
    // The right password came last: refused without being looked at.
    expect(outcomes.at(-1)).toBe('locked');
  });

  it('right passwords never lock, however many arrive at once, and clear the failures', () => {
    let account = fail(emptyAccount(), policy.threshold - 1);
    for (let i = 0; i < 32; i++) {
      const attempt = attemptSignIn(account, USER, true, policy, T0 + 10 * SECOND);
      expect(attempt.outcome).toBe('succeeded');
      account = attempt.account;
    }
    expect(account.failures).toEqual({});
  });

  it('unlocks after the lock time, and a blocked account fails with the right password', () => {
    const locked = fail(emptyAccount(), policy.threshold);
    expect(attemptSignIn(locked, USER, true, policy, T0 + 4 * SECOND + policy.baseLockMs + 1).outcome).toBe('succeeded');
    expect(attemptSignIn({ ...emptyAccount(), blocked: true }, USER, true, policy, T0).outcome).toBe('failed');
  });

  it('counts unknown emails per key, forgetting the oldest past MAX_FAILURE_KEYS', () => {
    let account = emptyAccount();
    for (let i = 0; i < MAX_FAILURE_KEYS + 10; i++) account = attemptSignIn(account, `email-${i}`, false, policy, T0 + i).account;
    expect(Object.keys(account.failures)).toHaveLength(MAX_FAILURE_KEYS);
    expect(account.failures['email-0']).toBeUndefined();
    expect(account.failures[`email-${MAX_FAILURE_KEYS + 9}`]).toEqual([T0 + MAX_FAILURE_KEYS + 9]);
  });
});

describe('sessions', () => {
  const session = (at: number) => ({ secretHash: `secret-${at}`, authTime: Math.floor(at / 1000), createdAt: at, expiresAt: at + 60 * MINUTE });

  it('resumes only with the right secret, before expiry, and not when blocked', () => {
    const account = openSession(emptyAccount(), 's1', session(T0), T0);
    expect(liveSession(account, 's1', `secret-${T0}`, T0 + MINUTE)).toMatchObject({ authTime: Math.floor(T0 / 1000) });
    expect(liveSession(account, 's1', 'secret-other', T0 + MINUTE)).toBeUndefined();
    expect(liveSession(account, 's1', `secret-${T0}`, T0 + 60 * MINUTE)).toBeUndefined();
    expect(liveSession(account, 'toString', `secret-${T0}`, T0)).toBeUndefined();
    expect(liveSession({ ...account, blocked: true }, 's1', `secret-${T0}`, T0)).toBeUndefined();
  });

  it('keeps at most MAX_SESSIONS, ending the oldest', () => {
    let account = emptyAccount();
    for (let i = 0; i < MAX_SESSIONS + 3; i++) account = openSession(account, `s${i}`, session(T0 + i), T0 + i);
    expect(Object.keys(account.sessions)).toHaveLength(MAX_SESSIONS);
    expect(account.sessions.s0).toBeUndefined();
    expect(account.sessions[`s${MAX_SESSIONS + 2}`]).toBeDefined();
  });

  it('signing out everywhere ends every session', () => {
    const account = openSession(openSession(emptyAccount(), 'a', session(T0), T0), 'b', session(T0), T0);
    expect(endAllSessions(account).sessions).toEqual({});
  });
});

describe('consent, per client and API', () => {
  it('is needed for a client that requires it until every scope is allowed, for that API only', () => {
    let account = emptyAccount();
    expect(mustAskConsent(account, consent())).toBe(true);
    account = recordConsent(account, consent());
    expect(mustAskConsent(account, consent())).toBe(false);
    expect(mustAskConsent(account, consent({ scopes: ['read:items'] }))).toBe(false);
    expect(mustAskConsent(account, consent({ scopes: ['read:items', 'write:items'] }))).toBe(true);
    // The same scope name at another API is another permission.
    expect(mustAskConsent(account, consent({ audience: 'https://other.example.com' }))).toBe(true);
    expect(mustAskConsent(account, consent({ forceConsent: true }))).toBe(true);
    expect(mustAskConsent(emptyAccount(), consent({ requireConsent: false }))).toBe(false);
  });
});

describe('approve: one code per request', () => {
  const user = { userId: USER, authTime: Math.floor(T0 / 1000) };

  it('issues the code into a new grant record, kept while anything it issued may be used', () => {
    const { record, result } = approve(emptyAccount(), approval('g1', { requireConsent: false }), user, false);
    expect(result).toBe('code_issued');
    expect(record?.grant).toMatchObject({ userId: USER, clientId: 'partner-app', authTime: user.authTime });
    expect(storedGrant(record!, T0)).toMatchObject({ clientId: 'partner-app', createdAt: T0, retainUntil: T0 + 10 * MINUTE });
  });

  it('refuses a second code for a request that already has a grant or a refusal under its id', () => {
    expect(approve(emptyAccount(), approval('g1', { requireConsent: false }), user, true)).toEqual({ record: undefined, result: 'request_used' });
    expect(refusedRequest('partner-app', T0 + 10 * MINUTE, T0)).toEqual({ clientId: 'partner-app', createdAt: T0, retainUntil: T0 + 10 * MINUTE, record: undefined });
  });

  it('asks for consent instead of issuing, and refuses a blocked user', () => {
    expect(approve(emptyAccount(), approval('g1'), user, false)).toMatchObject({ result: 'consent_required', record: undefined });
    expect(approve({ ...emptyAccount(), blocked: true }, approval('g1', { requireConsent: false }), user, false).result).toBe('blocked');
  });

  it('holds the code, before consent, until the address is confirmed, issuing nothing', () => {
    const waiting = { ...approval('g1'), verifyEmailFirst: true };
    expect(approve(emptyAccount(), waiting, user, false)).toEqual({ record: undefined, result: 'verification_required' });
    // A used request and a blocked user still say so first: the page would not help.
    expect(approve(emptyAccount(), waiting, user, true).result).toBe('request_used');
    expect(approve({ ...emptyAccount(), blocked: true }, waiting, user, false).result).toBe('blocked');
  });
});

describe('retention', () => {
  it('forgets expired sessions and failures, and says when next to look', () => {
    const session = { secretHash: 'h', authTime: 0, createdAt: T0, expiresAt: T0 + MINUTE };
    let account = openSession(emptyAccount(), 's1', session, T0);
    account = fail(account, 1);
    expect(nextExpiry(account, policy)).toBe(T0 + policy.windowMs);
    const later = pruneAccount(account, policy, T0 + policy.windowMs + 1);
    expect(isEmptyAccount(later)).toBe(true);
    expect(nextExpiry(later, policy)).toBeUndefined();
  });
});
