import type { JWK } from 'jose';
import type { SigningAlg } from '../crypto/jwt';

/**
 * A signing key's life: published as `next` before it signs anything, `current` while it signs,
 * `previous` while tokens it signed may still be valid, then `retired` (private part deleted,
 * no longer published).
 */
export type KeyStatus = 'next' | 'current' | 'previous' | 'retired';

export interface StoredSigningKey {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  createdAt: number;
  /** When it became current. */
  promotedAt?: number;
  /** When it stopped signing. */
  demotedAt?: number;
  /** Absent once retired. */
  privateJwk?: JWK;
  publicJwk: JWK;
}

const MINUTE = 60_000;

/**
 * A `next` key must be public this long before it may sign: resource servers cache the JWKS for
 * up to 5 minutes (our Cache-Control) and isolates cache keys for 5 minutes (src/tokens/key-cache.ts).
 */
export const PUBLISH_AHEAD_MS = 10 * MINUTE;

/**
 * A `previous` key stays published while a token it signed can be unexpired: the longest token
 * lifetime (24 hours) plus the time an isolate may keep signing with it after a rotation.
 */
export const PREVIOUS_KEPT_MS = 24 * 60 * MINUTE + 10 * MINUTE;

export class KeyRotationError extends Error {
  override readonly name = 'KeyRotationError';
  readonly code = 'ERR_KEY_ROTATION_TOO_EARLY';
}

export function keyWith(keys: readonly StoredSigningKey[], alg: SigningAlg, status: KeyStatus): StoredSigningKey | undefined {
  return keys.find((key) => key.alg === alg && key.status === status);
}

/**
 * Promotes `next` to `current` and `current` to `previous`, adding a new `next`. Refused while
 * `next` has been public for less than PUBLISH_AHEAD_MS, unless forced (a compromised key), in
 * which case verifiers with a stale JWKS refetch it on the unknown `kid`.
 */
export function rotate(
  keys: readonly StoredSigningKey[],
  alg: SigningAlg,
  newNext: StoredSigningKey,
  now: number,
  force = false,
): StoredSigningKey[] {
  const next = keyWith(keys, alg, 'next');
  const current = keyWith(keys, alg, 'current');
  if (!next || !current) throw new KeyRotationError(`no ${alg} key set to rotate`);
  if (!force && now - next.createdAt < PUBLISH_AHEAD_MS) {
    throw new KeyRotationError(`the next ${alg} key has been published for less than ${PUBLISH_AHEAD_MS / MINUTE} minutes`);
  }
  return [
    ...keys.map((key): StoredSigningKey => {
      if (key === current) return { ...key, status: 'previous', demotedAt: now };
      if (key === next) return { ...key, status: 'current', promotedAt: now };
      return key;
    }),
    { ...newNext, status: 'next' },
  ];
}

/** Retires previous keys whose tokens have all expired; their private parts are dropped. */
export function retireExpired(keys: readonly StoredSigningKey[], now: number): StoredSigningKey[] {
  return keys.map((key) => {
    if (key.status !== 'previous' || (key.demotedAt ?? 0) + PREVIOUS_KEPT_MS > now) return key;
    const { privateJwk: _dropped, ...retired } = key;
    return { ...retired, status: 'retired' };
  });
}

/** What the JWKS publishes: every key that signs, will sign, or signed a token still valid. */
export function publishedKeys(keys: readonly StoredSigningKey[]): JWK[] {
  return keys.filter((key) => key.status !== 'retired').map((key) => key.publicJwk);
}

/** Whether the scheduled rotation is due for this algorithm. */
export function isRotationDue(keys: readonly StoredSigningKey[], alg: SigningAlg, periodMs: number, now: number): boolean {
  const current = keyWith(keys, alg, 'current');
  return current !== undefined && now - (current.promotedAt ?? current.createdAt) >= periodMs;
}
