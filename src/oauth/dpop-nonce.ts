import { seal, unseal } from '../crypto/seal';

/**
 * Server nonces for DPoP (RFC 9449 section 8) that need no storage: a nonce is the time it was
 * made, sealed (AES-GCM) with the sealing key under its own purpose, so only we can make one and
 * any isolate can check it. A nonce is good for DPOP_NONCE_TTL_S; every answer to a DPoP request
 * carries a fresh one, so an app that keeps the latest never sees `use_dpop_nonce` again.
 */
export const DPOP_NONCE_TTL_S = 300;
const PURPOSE = 'dpop-nonce';

export function issueDpopNonce(key: CryptoKey, now: number): Promise<string> {
  return seal(key, PURPOSE, Math.floor(now / 1000));
}

/** Another machine's clock may run this far ahead of the one checking. */
const CLOCK_SKEW_S = 5;

/** The nonce was made by us, within the last DPOP_NONCE_TTL_S seconds (and not later than now, give or take the skew). */
export async function isFreshDpopNonce(key: CryptoKey, nonce: string | undefined, now: number): Promise<boolean> {
  if (nonce === undefined || nonce.length > 256) return false;
  const madeAt = await unseal(key, PURPOSE, nonce);
  const nowS = Math.floor(now / 1000);
  return typeof madeAt === 'number' && madeAt <= nowS + CLOCK_SKEW_S && nowS - madeAt < DPOP_NONCE_TTL_S;
}
