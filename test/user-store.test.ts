/**
 * The user's Durable Object (src/durable-objects/user-store.ts) through its stub, as the worker
 * calls it, and from inside (storage, alarms): one call per sign-in, the lock under concurrency,
 * one code per request, user-wide revocation, blocked users at consent and redemption, retention.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { randomToken } from '../src/crypto/random';
import { unknownAccountStore, userStore, type UserStore } from '../src/durable-objects/user-store';
import type { AccountRecord, Approval, SignInInput, StoredGrant } from '../src/oauth/account-record';
import { ACCOUNT_POLICY } from '../src/oauth/login-throttle';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function approval(grantId = randomToken(16), requireConsent = false): Approval {
  return {
    grantId,
    codeHash: `code-hash-${grantId}`,
    grant: {
      clientId: 'demo-app',
      redirectUri: 'com.example.demo:/callback',
      codeChallenge: CHALLENGE,
      scopes: ['read:items', 'offline_access'],
      audience: 'https://api.example.com',
      nonce: undefined,
      expiresAt: Date.now() + 60_000,
    },
    requestExpiresAt: Date.now() + 600_000,
    consent: { clientId: 'demo-app', audience: 'https://api.example.com', scopes: ['read:items', 'offline_access'], requireConsent, forceConsent: false },
    verifyEmailFirst: false,
  };
}

function signInput(userId: string, passwordValid: boolean, grant = approval()): SignInInput {
  return {
    accountKey: userId,
    passwordValid,
    user: { userId, session: { id: randomToken(16), secretHash: `session-${randomToken(8)}`, expiresAt: Date.now() + 3_600_000 }, approval: grant },
  };
}

const redeemInput = (grant: Approval) => ({
  codeHash: grant.codeHash,
  clientId: 'demo-app',
  redirectUri: 'com.example.demo:/callback',
  verifierChallenge: CHALLENGE,
  refresh: { hash: `refresh-${grant.grantId}`, absoluteTtlMs: 86_400_000, idleTtlMs: 3_600_000, leewayMs: 0 },
});

const account = (store: DurableObjectStub<UserStore>) =>
  runInDurableObject(store, (_instance: UserStore, state) => state.storage.kv.get<AccountRecord>('account'));
const storedGrant = (store: DurableObjectStub<UserStore>, grantId: string) =>
  runInDurableObject(store, (_instance: UserStore, state) => state.storage.kv.get<StoredGrant>(`grant:${grantId}`));
const grantRecord = async (store: DurableObjectStub<UserStore>, grantId: string) => (await storedGrant(store, grantId))?.record;
const newUser = () => `user_${randomToken(12)}`;

describe('sign-in: one call decides the lock, the session and the code', () => {
  it('a right password opens a session and issues the code; the request cannot issue another', async () => {
    const userId = newUser();
    const store = userStore(env, userId);
    const grant = approval();
    expect(await store.signIn(signInput(userId, true, grant))).toMatchObject({ outcome: 'succeeded', approval: 'code_issued' });
    expect(await store.signIn(signInput(userId, true, grant))).toMatchObject({ outcome: 'succeeded', approval: 'request_used' });
    const stored = await account(store);
    expect(Object.keys(stored!.sessions)).toHaveLength(2);
    // Each grant under its own key: the account record does not grow with the user's sign-ins.
    expect(JSON.stringify(stored)).not.toContain(grant.grantId);
    expect((await store.listGrants()).map((g) => g.id)).toEqual([grant.grantId]);
    // Only the hash of the code is kept.
    expect((await grantRecord(store, grant.grantId))?.codeHash).toBe(grant.codeHash);
  });

  it('32 devices signing in at once with the right password all succeed', async () => {
    const userId = newUser();
    const store = userStore(env, userId);
    const results = await Promise.all(Array.from({ length: 32 }, () => store.signIn(signInput(userId, true))));
    expect(results.every((r) => r.outcome === 'succeeded' && r.approval === 'code_issued')).toBe(true);
    expect((await account(store))!.failures).toEqual({});
  });

  it('a burst of 20 wrong guesses at once records exactly the threshold, then refuses even the right password', async () => {
    const userId = newUser();
    const store = userStore(env, userId);
    const outcomes = (await Promise.all(Array.from({ length: 20 }, () => store.signIn(signInput(userId, false))))).map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(ACCOUNT_POLICY.threshold);
    expect(outcomes.filter((o) => o === 'locked')).toHaveLength(20 - ACCOUNT_POLICY.threshold);
    const before = await account(store);
    expect(await store.signIn(signInput(userId, true))).toEqual({ outcome: 'locked' });
    // The refused attempt wrote nothing: the right password did not count, nor open a session.
    expect(await account(store)).toEqual(before);
  });

  it('unknown emails share bounded objects and lock like accounts', async () => {
    const emailHash = randomToken(32);
    const store = unknownAccountStore(env, emailHash);
    for (let i = 0; i < ACCOUNT_POLICY.threshold; i++) expect(await store.signIn({ accountKey: emailHash, passwordValid: false })).toEqual({ outcome: 'failed' });
    expect(await store.signIn({ accountKey: emailHash, passwordValid: false })).toEqual({ outcome: 'locked' });
    expect((await account(store))!.failures[emailHash]).toHaveLength(ACCOUNT_POLICY.threshold);
  });
});

describe('codes and tokens in the user’s object', () => {
  it('redeems once, concurrently too; a replay revokes the grant', async () => {
    const userId = newUser();
    const store = userStore(env, userId);
    const grant = approval();
    await store.signIn(signInput(userId, true, grant));
    const results = await Promise.all(Array.from({ length: 20 }, () => store.redeemCode(grant.grantId, redeemInput(grant))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'replayed')).toHaveLength(19);
    expect((await grantRecord(store, grant.grantId))?.revokedAt).toBeTypeOf('number');
  });

  it('accepts one DPoP proof once, however many requests carry it at the same time; a blocked user none', async () => {
    const userId = newUser();
    const store = userStore(env, userId);
    const grant = approval();
    await store.signIn(signInput(userId, true, grant));
    expect(await store.redeemCode(grant.grantId, redeemInput(grant))).toMatchObject({ ok: true });
    const proof = { jkt: 'key', jti: 'captured', replayableUntil: Date.now() + 60_000 };
    const jti = `${grant.grantId}.jti`;
    const results = await Promise.all(Array.from({ length: 20 }, () => store.useDpopAccessToken(grant.grantId, jti, proof)));
    expect(results.filter((r) => r === 'live')).toHaveLength(1);
    expect(results.filter((r) => r === 'dpop_replayed')).toHaveLength(19);
    await store.setBlocked(true);
    expect(await store.useDpopAccessToken(grant.grantId, jti, { ...proof, jti: 'fresh' })).toBe('revoked');
  });

  it('a block revokes an outstanding code and refuses consent; unblocking restores neither', async () => {
    const userId = newUser();
    const store = userStore(env, userId);
    const issued = approval();
    await store.signIn(signInput(userId, true, issued));
    const revoked = await store.setBlocked(true);
    expect(revoked).toEqual({ sessions: 1, grants: 1 });
    expect(await store.redeemCode(issued.grantId, redeemInput(issued))).toEqual({ ok: false, reason: 'revoked' });
    expect(await store.approveConsent({ userId, authTime: 0 }, approval(undefined, true))).toBe('blocked');
    expect(await store.signIn(signInput(userId, true))).toEqual({ outcome: 'failed' });
    await store.setBlocked(false);
    expect(await store.listSessions()).toEqual([]);
    expect((await store.listGrants()).every((g) => g.revoked)).toBe(true);
    expect(await store.signIn(signInput(userId, true))).toMatchObject({ outcome: 'succeeded', approval: 'code_issued' });
  });

  it('signs out everywhere: sessions end, refresh families and access tokens of every grant stop', async () => {
    const userId = newUser();
    const store = userStore(env, userId);
    const grants = [approval(), approval()];
    for (const grant of grants) {
      await store.signIn(signInput(userId, true, grant));
      expect(await store.redeemCode(grant.grantId, redeemInput(grant))).toMatchObject({ ok: true });
    }
    expect(await store.isAccessTokenLive(grants[0]!.grantId, `${grants[0]!.grantId}.jti`)).toBe(true);
    expect(await store.signOutEverywhere()).toEqual({ sessions: 2, grants: 2 });
    expect(await store.isAccessTokenLive(grants[0]!.grantId, `${grants[0]!.grantId}.jti`)).toBe(false);
    expect(await store.rotateRefreshToken(grants[1]!.grantId, { tokenHash: `refresh-${grants[1]!.grantId}`, clientId: 'demo-app', newTokenHash: 'n', scopes: undefined })).toMatchObject({
      ok: false,
      reason: 'revoked',
    });
    expect(await store.listSessions()).toEqual([]);
  });

  it('deleting the user leaves nothing: tokens of its grants are refused', async () => {
    const userId = newUser();
    const store = userStore(env, userId);
    const grant = approval();
    await store.signIn(signInput(userId, true, grant));
    await store.redeemCode(grant.grantId, redeemInput(grant));
    await store.deleteAll();
    expect(await account(store)).toBeUndefined();
    expect(await store.isAccessTokenLive(grant.grantId, `${grant.grantId}.jti`)).toBe(false);
  });
});

describe('retention', () => {
  it('sets one alarm past what the records need; the alarm forgets expired grants and empties the object', async () => {
    const userId = newUser();
    const store = userStore(env, userId);
    const grant = approval();
    await store.closeRequest(grant.grantId, 'demo-app', Date.now() + 1000);
    const alarmAt = await runInDurableObject(store, (_i: UserStore, state) => state.storage.getAlarm());
    expect(alarmAt).toBeGreaterThan(Date.now() + 24 * 3600 * 1000);
    // Time passes: the request has expired.
    await runInDurableObject(store, (_i: UserStore, state) => {
      const stored = state.storage.kv.get<StoredGrant>(`grant:${grant.grantId}`)!;
      state.storage.kv.put(`grant:${grant.grantId}`, { ...stored, retainUntil: Date.now() - 1 });
    });
    expect(await runDurableObjectAlarm(store)).toBe(true);
    expect(await storedGrant(store, grant.grantId)).toBeUndefined();
    expect(await account(store)).toBeUndefined();
  });
});
