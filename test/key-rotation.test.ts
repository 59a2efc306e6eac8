import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  isRotationDue,
  KeyRotationError,
  PREVIOUS_KEPT_MS,
  PUBLISH_AHEAD_MS,
  publishedKeys,
  retireExpired,
  rotate,
  type StoredSigningKey,
} from '../src/oauth/key-lifecycle';
import { forgetCachedKeys } from '../src/tokens/key-cache';
import { signingKeyStore, type KeyMaterial, type SigningKeyStore } from '../src/durable-objects/signing-key-store';
import { call, ISSUER, signInForTokens } from './helpers';

const key = (kid: string, status: StoredSigningKey['status'], createdAt: number, extra: Partial<StoredSigningKey> = {}): StoredSigningKey => ({
  kid,
  alg: 'ES256',
  status,
  createdAt,
  privateJwk: { kty: 'EC', d: 'secret' },
  publicJwk: { kty: 'EC', kid },
  ...extra,
});

describe('key lifecycle (pure): next, current, previous, retired', () => {
  const t0 = 1_800_000_000_000;
  const keys = [key('a', 'current', t0, { promotedAt: t0 }), key('b', 'next', t0)];

  it('promotes next to current and current to previous, adding a new next', () => {
    const rotated = rotate(keys, 'ES256', key('c', 'next', t0 + PUBLISH_AHEAD_MS), t0 + PUBLISH_AHEAD_MS);
    expect(rotated.map((k) => [k.kid, k.status])).toEqual([
      ['a', 'previous'],
      ['b', 'current'],
      ['c', 'next'],
    ]);
    expect(publishedKeys(rotated).map((k) => k.kid)).toEqual(['a', 'b', 'c']);
  });

  it('refuses to promote a next key that has not been public long enough, unless forced', () => {
    expect(() => rotate(keys, 'ES256', key('c', 'next', t0), t0 + PUBLISH_AHEAD_MS - 1)).toThrow(KeyRotationError);
    expect(rotate(keys, 'ES256', key('c', 'next', t0), t0 + 1, true)[1]!.status).toBe('current');
  });

  it('retires a previous key once every token it signed has expired, dropping its private part', () => {
    const rotated = rotate(keys, 'ES256', key('c', 'next', t0), t0 + PUBLISH_AHEAD_MS);
    expect(retireExpired(rotated, t0 + PUBLISH_AHEAD_MS + PREVIOUS_KEPT_MS - 1)[0]!.status).toBe('previous');
    const retired = retireExpired(rotated, t0 + PUBLISH_AHEAD_MS + PREVIOUS_KEPT_MS);
    expect(retired[0]).toMatchObject({ kid: 'a', status: 'retired' });
    expect(retired[0]!.privateJwk).toBeUndefined();
    expect(publishedKeys(retired).map((k) => k.kid)).toEqual(['b', 'c']);
  });

  it('is due for scheduled rotation after the period', () => {
    expect(isRotationDue(keys, 'ES256', 1000, t0 + 999)).toBe(false);
    expect(isRotationDue(keys, 'ES256', 1000, t0 + 1000)).toBe(true);
  });
});

async function jwks() {
  return createLocalJWKSet((await (await call('/.well-known/jwks.json')).json()) as { keys: [] });
}

describe('key rotation in the SigningKeyStore', () => {
  it('keeps tokens signed before a rotation verifiable, and signs with the promoted key after it', async () => {
    const before = await signInForTokens({ scope: 'read:items' });
    const oldKid = decodeProtectedHeader(before.access_token).kid;
    const nextKid = (await signingKeyStore(env).summaries()).find((k) => k.alg === 'ES256' && k.status === 'next')!.kid;

    const rotation = await signingKeyStore(env).rotate(['ES256'], true);
    if (!rotation.ok) throw new Error(rotation.reason);
    const summaries = rotation.keys;
    expect(summaries.find((k) => k.kid === oldKid)?.status).toBe('previous');
    expect(summaries.find((k) => k.kid === nextKid)?.status).toBe('current');
    forgetCachedKeys();

    const after = await signInForTokens({ scope: 'read:items' });
    expect(decodeProtectedHeader(after.access_token).kid).toBe(nextKid);
    const keys = await jwks();
    for (const token of [before.access_token, after.access_token]) {
      await expect(jwtVerify(token, keys, { issuer: ISSUER, audience: 'https://api.example.com' })).resolves.toBeDefined();
    }
  });

  it('never stores a private member in a summary, and refuses an early unforced rotation', async () => {
    const store = signingKeyStore(env);
    await store.keyMaterial();
    const before = await store.summaries();
    const early = await store.rotate(['RS256']);
    expect(early).toEqual({ ok: false, reason: expect.stringMatching(/published for less than 10 minutes/) });
    // The refusal changes nothing (and does not reset the object).
    expect(await store.summaries()).toEqual(before);
    const summaries = await store.summaries();
    expect(JSON.stringify(summaries)).not.toMatch(/"d"|privateJwk/);
  });

  it('the scheduled maintenance rotates keys older than the period and retires expired ones', async () => {
    const store = signingKeyStore(env);
    await store.keyMaterial();
    // Age every key by two days, as if the store had run that long.
    await runInDurableObject(store, (_instance: SigningKeyStore, state) => {
      const material = state.storage.kv.get<KeyMaterial>('material')!;
      const aged = material.signingKeys.map((k) => ({
        ...k,
        createdAt: k.createdAt - 2 * 86_400_000,
        ...(k.promotedAt ? { promotedAt: k.promotedAt - 2 * 86_400_000 } : {}),
      }));
      state.storage.kv.put('material', { ...material, signingKeys: aged });
    });
    expect(await store.maintain(86_400_000)).toEqual({ rotated: ['ES256', 'RS256'] });
    expect(await store.maintain(86_400_000)).toEqual({ rotated: [] });
    const statuses = (await store.summaries()).map((k) => `${k.alg}:${k.status}`).sort();
    expect(statuses.filter((s) => s.endsWith(':current'))).toEqual(['ES256:current', 'RS256:current']);
    expect(statuses.filter((s) => s.endsWith(':next'))).toEqual(['ES256:next', 'RS256:next']);
  });
});
