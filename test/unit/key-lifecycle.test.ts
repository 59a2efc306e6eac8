import { describe, expect, it } from 'vitest';
import {
  isRotationDue,
  keyWith,
  KeyRotationError,
  KeyWithdrawalError,
  PREVIOUS_KEPT_MS,
  PUBLISH_AHEAD_MS,
  publishedKeys,
  retireExpired,
  rotate,
  withdraw,
  withdrawalNeedsNewKey,
  withdrawnKids,
  type StoredSigningKey,
} from '../../src/oauth/key-lifecycle';
import { DAY, T0 } from './clock';

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
  const t0 = T0;
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

describe('key lifecycle (pure): the whole life of one key, and keys of other algorithms', () => {
  const rsa = (kid: string, status: StoredSigningKey['status'], createdAt: number): StoredSigningKey => key(kid, status, createdAt, { alg: 'RS256' });

  it('needs both a current and a next key of the algorithm to rotate', () => {
    expect(() => rotate([key('a', 'current', T0)], 'ES256', key('c', 'next', T0), T0 + DAY)).toThrow(KeyRotationError);
    expect(() => rotate([key('b', 'next', T0)], 'ES256', key('c', 'next', T0), T0 + DAY)).toThrow(KeyRotationError);
    expect(() => rotate([rsa('a', 'current', T0), rsa('b', 'next', T0)], 'ES256', key('c', 'next', T0), T0 + DAY)).toThrow(KeyRotationError);
  });

  it('says why it refuses, with a stable code', () => {
    const keys = [key('a', 'current', T0), key('b', 'next', T0)];
    const refusal = (() => {
      try {
        rotate(keys, 'ES256', key('c', 'next', T0), T0 + 1);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(KeyRotationError);
    expect(refusal).toMatchObject({ name: 'KeyRotationError', code: 'ERR_KEY_ROTATION_TOO_EARLY' });
  });

  it('leaves keys of other algorithms alone, and finds each key by algorithm and status', () => {
    const keys = [rsa('r1', 'current', T0), key('a', 'current', T0), key('b', 'next', T0), rsa('r2', 'next', T0)];
    const rotated = rotate(keys, 'ES256', key('c', 'next', T0 + PUBLISH_AHEAD_MS), T0 + PUBLISH_AHEAD_MS);
    expect(rotated.filter((k) => k.alg === 'RS256')).toEqual(keys.filter((k) => k.alg === 'RS256'));
    expect(keyWith(rotated, 'ES256', 'current')?.kid).toBe('b');
    expect(keyWith(rotated, 'RS256', 'current')?.kid).toBe('r1');
    expect(keyWith(rotated, 'ES256', 'retired')).toBeUndefined();
  });

  it('records when a key was promoted and demoted, and does not change its input', () => {
    const keys = [key('a', 'current', T0, { promotedAt: T0 }), key('b', 'next', T0)];
    const copy = structuredClone(keys);
    const at = T0 + PUBLISH_AHEAD_MS;
    const rotated = rotate(keys, 'ES256', key('c', 'next', at), at);
    expect(rotated[0]).toMatchObject({ kid: 'a', status: 'previous', promotedAt: T0, demotedAt: at });
    expect(rotated[1]).toMatchObject({ kid: 'b', status: 'current', promotedAt: at });
    expect(keys).toEqual(copy);
  });

  it('goes next → current → previous → retired over two rotations, published until retired', () => {
    let keys = [key('a', 'current', T0, { promotedAt: T0 }), key('b', 'next', T0)];
    const first = T0 + 30 * DAY;
    keys = rotate(keys, 'ES256', key('c', 'next', first), first);
    const second = first + 30 * DAY;
    keys = retireExpired(rotate(keys, 'ES256', key('d', 'next', second), second), second);
    expect(keys.map((k) => [k.kid, k.status])).toEqual([
      ['a', 'retired'],
      ['b', 'previous'],
      ['c', 'current'],
      ['d', 'next'],
    ]);
    expect(publishedKeys(keys).map((k) => k.kid)).toEqual(['b', 'c', 'd']);
    expect(keys.filter((k) => k.privateJwk === undefined).map((k) => k.kid)).toEqual(['a']);
  });

  it('never retires a current or next key, however old', () => {
    const keys = [key('a', 'current', T0), key('b', 'next', T0)];
    expect(retireExpired(keys, T0 + 365 * DAY)).toEqual(keys);
  });

  it('counts the rotation period from promotion, or from creation for a key never promoted', () => {
    expect(isRotationDue([key('a', 'current', T0, { promotedAt: T0 + DAY })], 'ES256', DAY, T0 + DAY)).toBe(false);
    expect(isRotationDue([key('a', 'current', T0, { promotedAt: T0 + DAY })], 'ES256', DAY, T0 + 2 * DAY)).toBe(true);
    expect(isRotationDue([key('a', 'current', T0)], 'ES256', DAY, T0 + DAY)).toBe(true);
    expect(isRotationDue([key('a', 'next', T0)], 'ES256', DAY, T0 + 2 * DAY)).toBe(false);
  });

  it('keeps a previous key published for the longest token lifetime plus the rotation lag', () => {
    expect(PREVIOUS_KEPT_MS).toBeGreaterThan(DAY);
    expect(PUBLISH_AHEAD_MS).toBeGreaterThanOrEqual(5 * 60_000);
  });
});

// Issue 12, finding 3: a compromised key is withdrawn, not rotated out.
describe('key lifecycle (pure): withdrawing a compromised key', () => {
  const keys = [key('p', 'previous', T0, { demotedAt: T0 }), key('a', 'current', T0, { promotedAt: T0 }), key('b', 'next', T0)];
  const at = T0 + 60_000;

  it('withdraws the current key at once: unpublished, private part gone, next promoted, a new next added', () => {
    expect(withdrawalNeedsNewKey(keys, 'a')).toBe(true);
    const changed = withdraw(keys, 'a', at, key('c', 'next', at));
    expect(changed.map((k) => [k.kid, k.status])).toEqual([
      ['p', 'previous'],
      ['a', 'withdrawn'],
      ['b', 'current'],
      ['c', 'next'],
    ]);
    expect(changed[1]).toMatchObject({ withdrawnAt: at, demotedAt: at });
    expect(changed[1]!.privateJwk).toBeUndefined();
    expect(changed[2]).toMatchObject({ promotedAt: at });
    expect(publishedKeys(changed).map((k) => k.kid)).toEqual(['p', 'b', 'c']);
    expect(withdrawnKids(changed)).toEqual(['a']);
  });

  it('withdraws a previous key without a new key, and a next key with one, leaving current alone', () => {
    expect(withdrawalNeedsNewKey(keys, 'p')).toBe(false);
    expect(withdraw(keys, 'p', at).map((k) => k.status)).toEqual(['withdrawn', 'current', 'next']);
    const withoutNext = withdraw(keys, 'b', at, key('c', 'next', at));
    expect(withoutNext.map((k) => [k.kid, k.status])).toEqual([
      ['p', 'previous'],
      ['a', 'current'],
      ['b', 'withdrawn'],
      ['c', 'next'],
    ]);
    expect(() => withdraw(keys, 'b', at)).toThrow(/needs a new ES256 next key/);
  });

  it('is never undone by retirement, and refuses unknown or already withdrawn keys with stable codes', () => {
    const changed = withdraw(keys, 'p', at);
    expect(retireExpired(changed, at + 365 * DAY)).toEqual(changed);
    expect(() => withdraw(keys, 'zz', at)).toThrow(expect.objectContaining({ name: 'KeyWithdrawalError', code: 'ERR_KEY_UNKNOWN' }));
    expect(() => withdraw(changed, 'p', at)).toThrow(KeyWithdrawalError);
    expect(() => withdraw(changed, 'p', at)).toThrow(expect.objectContaining({ code: 'ERR_KEY_ALREADY_WITHDRAWN' }));
  });
});
