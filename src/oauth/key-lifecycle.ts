import type { JWK } from 'jose';
import type { SigningAlg } from '../crypto/jwt';

/**
 * A signing key's life: published as `next` before it signs anything, `current` while it signs,
 * `previous` while tokens it signed may still be valid, then `retired` (private part deleted,
 * no longer published). That is routine rotation. A compromised key is `withdrawn` instead, from
 * any status and at once: private part deleted, unpublished, and every token it signed refused,
 * expired or not.
 */
export type KeyStatus = 'next' | 'current' | 'previous' | 'retired' | 'withdrawn';

export interface StoredSigningKey {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  createdAt: number;
  /** When it became current. */
  promotedAt?: number;
  /** When it stopped signing. */
  demotedAt?: number;
  /** When it was withdrawn as compromised. */
  withdrawnAt?: number;
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

export class KeyWithdrawalError extends Error {
  override readonly name = 'KeyWithdrawalError';

  constructor(
    readonly code: 'ERR_KEY_UNKNOWN' | 'ERR_KEY_ALREADY_WITHDRAWN',
    message: string,
  ) {
    super(message);
  }
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

/** Whether withdrawing this key empties a slot (`current` or `next`), so a new `next` key must be made. */
export function withdrawalNeedsNewKey(keys: readonly StoredSigningKey[], kid: string): boolean {
  const status = keys.find((key) => key.kid === kid)?.status;
  return status === 'current' || status === 'next';
}

/**
 * Withdraws a compromised key now, whatever its status (routine rotation keeps an old key while
 * its tokens may be valid; a withdrawal does not). A withdrawn `current` key is replaced at once
 * (`next` is promoted, as by a forced rotation) so signing goes on, and `newNext`, of the same
 * algorithm, takes the emptied `next` slot.
 */
export function withdraw(keys: readonly StoredSigningKey[], kid: string, now: number, newNext?: StoredSigningKey): StoredSigningKey[] {
  const target = keys.find((key) => key.kid === kid);
  if (!target) throw new KeyWithdrawalError('ERR_KEY_UNKNOWN', `no key has the kid ${kid}`);
  if (target.status === 'withdrawn') throw new KeyWithdrawalError('ERR_KEY_ALREADY_WITHDRAWN', `the key ${kid} is already withdrawn`);
  const slotEmptied = withdrawalNeedsNewKey(keys, kid);
  if (slotEmptied && newNext?.alg !== target.alg) throw new Error(`withdrawing a ${target.status} key needs a new ${target.alg} next key`);
  const next = keyWith(keys, target.alg, 'next');
  const { privateJwk: _dropped, ...unsigned } = target;
  const changed = keys.map((key): StoredSigningKey => {
    if (key === target) return { ...unsigned, status: 'withdrawn', withdrawnAt: now, ...(target.status === 'current' ? { demotedAt: now } : {}) };
    if (target.status === 'current' && key === next) return { ...key, status: 'current', promotedAt: now };
    return key;
  });
  return slotEmptied && newNext ? [...changed, { ...newNext, status: 'next' }] : changed;
}

/** The kids of withdrawn keys: what every isolate re-checks often (src/tokens/key-cache.ts). */
export function withdrawnKids(keys: readonly StoredSigningKey[]): string[] {
  return keys.filter((key) => key.status === 'withdrawn').map((key) => key.kid);
}

/** What the JWKS publishes: every key that signs, will sign, or signed a token still valid, unless withdrawn. */
export function publishedKeys(keys: readonly StoredSigningKey[]): JWK[] {
  return keys.filter((key) => key.status !== 'retired' && key.status !== 'withdrawn').map((key) => key.publicJwk);
}

/** Whether the scheduled rotation is due for this algorithm. */
export function isRotationDue(keys: readonly StoredSigningKey[], alg: SigningAlg, periodMs: number, now: number): boolean {
  const current = keyWith(keys, alg, 'current');
  return current !== undefined && now - (current.promotedAt ?? current.createdAt) >= periodMs;
}
