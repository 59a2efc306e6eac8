/** Stateless DPoP nonces (src/oauth/dpop-nonce.ts): made by us, fresh for DPOP_NONCE_TTL_S, checked with no storage. */
import { describe, expect, it } from 'vitest';
import { DPOP_NONCE_TTL_S, isFreshDpopNonce, issueDpopNonce } from '../../src/oauth/dpop-nonce';
import { seal } from '../../src/crypto/seal';
import { SECOND, T0 } from './clock';

const key = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']) as Promise<CryptoKey>;

describe('DPoP nonces', () => {
  it(`are fresh for ${DPOP_NONCE_TTL_S} seconds, then stale`, async () => {
    const k = await key();
    const nonce = await issueDpopNonce(k, T0);
    expect(await isFreshDpopNonce(k, nonce, T0)).toBe(true);
    expect(await isFreshDpopNonce(k, nonce, T0 + (DPOP_NONCE_TTL_S - 1) * SECOND)).toBe(true);
    expect(await isFreshDpopNonce(k, nonce, T0 + DPOP_NONCE_TTL_S * SECOND)).toBe(false);
  });

  it('are refused from another key, another purpose, the future, or when absent', async () => {
    const k = await key();
    expect(await isFreshDpopNonce(await key(), await issueDpopNonce(k, T0), T0)).toBe(false);
    expect(await isFreshDpopNonce(k, await seal(k, 'login-request', Math.floor(T0 / 1000)), T0)).toBe(false);
    expect(await isFreshDpopNonce(k, await issueDpopNonce(k, T0 + 60 * SECOND), T0)).toBe(false);
    expect(await isFreshDpopNonce(k, undefined, T0)).toBe(false);
    expect(await isFreshDpopNonce(k, 'not-a-nonce', T0)).toBe(false);
  });
});
