import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { randomToken } from '../src/crypto/random';
import {
  authorizationCodeStore,
  type AuthorizationCodeStore,
  type AuthorizationGrant,
} from '../src/durable-objects/authorization-code-store';

function grant(overrides: Partial<AuthorizationGrant> = {}): AuthorizationGrant {
  return {
    clientId: 'demo-app',
    redirectUri: 'com.example.demo:/callback',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scopes: ['read:items'],
    audience: 'https://api.example.com',
    userId: 'user_demo',
    nonce: undefined,
    authTime: Math.floor(Date.now() / 1000),
    expiresAt: Date.now() + 60_000,
    ...overrides,
  };
}

describe('AuthorizationCodeStore: one object per authorization request', () => {
  it('issues once per request and redeems once', async () => {
    const store = authorizationCodeStore(env, randomToken(16));
    expect(await store.issue('hash-1', grant(), Date.now() + 600_000)).toBe(true);
    expect(await store.issue('hash-2', grant(), Date.now() + 600_000)).toBe(false);
    expect(await store.redeem('hash-2')).toEqual({ ok: false, reason: 'unknown' });
    const first = await store.redeem('hash-1');
    expect(first.ok).toBe(true);
    expect(await store.redeem('hash-1')).toEqual({ ok: false, reason: 'replayed' });
  });

  it('keeps only the hash of the code, and counts replays until expiry', async () => {
    const store = authorizationCodeStore(env, randomToken(16));
    await store.issue('the-hash', grant(), Date.now() + 600_000);
    await store.redeem('the-hash');
    await store.redeem('the-hash');
    await store.redeem('the-hash');
    const stored = await runInDurableObject(store, (_instance: AuthorizationCodeStore, state) => state.storage.kv.get<Record<string, unknown>>('code'));
    expect(stored).toMatchObject({ codeHash: 'the-hash', replays: 2 });
    expect(typeof stored?.redeemedAt).toBe('number');
  });

  it('sets an alarm that removes the record, after which the request cannot be reused', async () => {
    const store = authorizationCodeStore(env, randomToken(16));
    const keepUntil = Date.now() + 600_000;
    await store.issue('h', grant(), keepUntil);
    expect(await runInDurableObject(store, (_i: AuthorizationCodeStore, state) => state.storage.getAlarm())).toBe(keepUntil);
    expect(await runDurableObjectAlarm(store)).toBe(true);
    expect(await runInDurableObject(store, (_i: AuthorizationCodeStore, state) => [...state.storage.kv.list()])).toEqual([]);
    expect(await store.redeem('h')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('keeps the record at least until the code expires', async () => {
    const store = authorizationCodeStore(env, randomToken(16));
    const expiresAt = Date.now() + 60_000;
    await store.issue('h', grant({ expiresAt }), Date.now());
    expect(await runInDurableObject(store, (_i: AuthorizationCodeStore, state) => state.storage.getAlarm())).toBe(expiresAt);
  });
});
