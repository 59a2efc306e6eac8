import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { forgetCachedKeys } from '../src/tokens/key-cache';
import { signingKeyStore, type KeyMaterial, type SigningKeyStore } from '../src/durable-objects/signing-key-store';
import { ISSUER } from './helpers/fixtures';
import { call } from './helpers/http';
import { signInForTokens } from './helpers/flow';

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
