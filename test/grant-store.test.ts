import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { randomToken } from '../src/crypto/random';
import { grantStore, type GrantStore } from '../src/durable-objects/grant-store';
import { MAX_ACCESS_TOKEN_TTL_MS, type AuthorizationGrant, type GrantRecord } from '../src/oauth/grant-record';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function grant(overrides: Partial<AuthorizationGrant> = {}): AuthorizationGrant {
  return {
    clientId: 'demo-app',
    redirectUri: 'com.example.demo:/callback',
    codeChallenge: CHALLENGE,
    scopes: ['read:items', 'offline_access'],
    audience: 'https://api.example.com',
    userId: 'user_demo',
    nonce: undefined,
    authTime: Math.floor(Date.now() / 1000),
    expiresAt: Date.now() + 60_000,
    ...overrides,
  };
}

const redeemInput = (codeHash: string) => ({
  codeHash,
  clientId: 'demo-app',
  redirectUri: 'com.example.demo:/callback',
  verifierChallenge: CHALLENGE,
  refresh: { hash: 'refresh-1', absoluteTtlMs: 86_400_000, idleTtlMs: 3_600_000, leewayMs: 0 },
});

const stored = (store: DurableObjectStub<GrantStore>) =>
  runInDurableObject(store, (_instance: GrantStore, state) => state.storage.kv.get<GrantRecord>('grant'));
const alarm = (store: DurableObjectStub<GrantStore>) =>
  runInDurableObject(store, (_instance: GrantStore, state) => state.storage.getAlarm());

describe('GrantStore: one object per authorization', () => {
  it('issues one code per request and redeems it once', async () => {
    const store = grantStore(env, randomToken(16));
    expect(await store.issueCode('hash-1', grant(), Date.now() + 600_000)).toBe(true);
    expect(await store.issueCode('hash-2', grant(), Date.now() + 600_000)).toBe(false);
    expect(await store.redeemCode(redeemInput('hash-2'))).toEqual({ ok: false, reason: 'unknown' });
    expect(await store.redeemCode(redeemInput('hash-1'))).toMatchObject({ ok: true, refreshIssued: true });
    expect(await store.redeemCode(redeemInput('hash-1'))).toEqual({ ok: false, reason: 'replayed' });
  });

  it('keeps only hashes, counts replays, and revokes the grant on the first replay', async () => {
    const store = grantStore(env, randomToken(16));
    await store.issueCode('the-hash', grant(), Date.now() + 600_000);
    await store.redeemCode(redeemInput('the-hash'));
    expect((await stored(store))?.revokedAt).toBeUndefined();
    await store.redeemCode(redeemInput('the-hash'));
    await store.redeemCode(redeemInput('the-hash'));
    const record = await stored(store);
    expect(record).toMatchObject({ codeHash: 'the-hash', replays: 2 });
    expect(record?.refresh?.currentHash).toBe('refresh-1');
    expect(typeof record?.revokedAt).toBe('number');
    expect(JSON.stringify(record)).not.toMatch(/verifier/i);
  });

  it('spends the code on a presentation with the wrong client', async () => {
    const store = grantStore(env, randomToken(16));
    await store.issueCode('h', grant(), Date.now() + 600_000);
    expect(await store.redeemCode({ ...redeemInput('h'), clientId: 'other-app' })).toEqual({ ok: false, reason: 'wrong_client' });
    expect(await store.redeemCode(redeemInput('h'))).toEqual({ ok: false, reason: 'replayed' });
  });

  it('keeps the record while its access tokens may live, then the alarm removes it', async () => {
    const store = grantStore(env, randomToken(16));
    const requestExpiresAt = Date.now() + 600_000;
    await store.issueCode('h', grant({ scopes: ['read:items'] }), requestExpiresAt);
    const armed = await alarm(store);
    expect(armed).toBeGreaterThanOrEqual(requestExpiresAt);
    const before = Date.now();
    await store.redeemCode({ ...redeemInput('h'), refresh: undefined });
    // The redemption's day of access tokens fits in the alarm set at issue: no second setAlarm.
    expect(await alarm(store)).toBe(armed);
    expect(armed).toBeGreaterThanOrEqual(before + MAX_ACCESS_TOKEN_TTL_MS);
    // Pretend a day has passed: the alarm then finds nothing left to keep.
    await runInDurableObject(store, (_instance: GrantStore, state) => {
      const record = state.storage.kv.get<GrantRecord>('grant')!;
      state.storage.kv.put('grant', { ...record, accessTokensExpireBy: 0, requestExpiresAt: 0, grant: { ...record.grant, expiresAt: 0 } });
    });
    expect(await runDurableObjectAlarm(store)).toBe(true);
    expect(await stored(store)).toBeUndefined();
    expect(await store.redeemCode(redeemInput('h'))).toEqual({ ok: false, reason: 'unknown' });
  });

  it('moves the alarm when a refresh family outlives it', async () => {
    const store = grantStore(env, randomToken(16));
    await store.issueCode('h', grant(), Date.now() + 600_000);
    await store.redeemCode(redeemInput('h'));
    // A 30-day family (absolute lifetime above) needs the alarm beyond the first day.
    expect(await alarm(store)).toBeGreaterThanOrEqual(Date.now() + 3_600_000);
    const record = await stored(store);
    expect(await alarm(store)).toBeGreaterThanOrEqual(Math.min(record!.refresh!.absoluteExpiresAt, record!.refresh!.lastUsedAt + record!.refresh!.idleTtlMs));
  });

  it('re-arms the alarm when the record must still be kept', async () => {
    const store = grantStore(env, randomToken(16));
    await store.issueCode('h', grant(), Date.now() + 600_000);
    expect(await runDurableObjectAlarm(store)).toBe(true);
    expect(await stored(store)).toBeDefined();
    expect(await alarm(store)).not.toBeNull();
  });
});
