/**
 * The login throttle's counter (src/oauth/login-throttle.ts) as a state machine over explicit
 * instants: failures recorded, forgotten after the window, the lock doubling up to the window.
 * The worker's use of it is tested in workerd (test/login-throttle.test.ts, test/attacks/brute-force.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ACCOUNT_POLICY, lockedUntil, networkKey, recentFailures, withFailure } from '../../src/oauth/login-throttle';
import { MINUTE, SECOND, T0 } from './clock';

const policy = ACCOUNT_POLICY;

/** `count` failures, one a second from `from`. */
function failuresFrom(from: number, count: number, start: readonly number[] = []): number[] {
  let failures = [...start];
  for (let i = 0; i < count; i++) failures = withFailure(failures, policy, from + i * SECOND);
  return failures;
}

describe('the account policy', () => {
  it('locks after 5 failures in 15 minutes, for 1 minute at first', () => {
    expect(policy).toMatchObject({ threshold: 5, windowMs: 15 * MINUTE, baseLockMs: MINUTE });
  });
});

describe('recentFailures and withFailure', () => {
  it('counts a failure for exactly the window: in at its start + window - 1, out at + window', () => {
    expect(recentFailures([T0], policy, T0 + policy.windowMs - 1)).toEqual([T0]);
    expect(recentFailures([T0], policy, T0 + policy.windowMs)).toEqual([]);
  });

  it('records the new failure last, drops the ones outside the window, and does not change its input', () => {
    const before = [T0, T0 + 10 * MINUTE];
    expect(withFailure(before, policy, T0 + 16 * MINUTE)).toEqual([T0 + 10 * MINUTE, T0 + 16 * MINUTE]);
    expect(before).toEqual([T0, T0 + 10 * MINUTE]);
  });

  it('keeps at most four times the threshold, the newest', () => {
    const failures = failuresFrom(T0, 50);
    expect(failures).toHaveLength(4 * policy.threshold);
    expect(failures.at(-1)).toBe(T0 + 49 * SECOND);
    expect(failures[0]).toBe(T0 + (50 - 4 * policy.threshold) * SECOND);
  });
});

describe('lockedUntil', () => {
  it('is not locked below the threshold', () => {
    expect(lockedUntil([], policy, T0)).toBe(0);
    expect(lockedUntil(failuresFrom(T0, policy.threshold - 1), policy, T0 + MINUTE)).toBe(0);
  });

  it('locks from the threshold-th failure for the base lock, then doubles with each further failure', () => {
    let failures = failuresFrom(T0, policy.threshold);
    let last = T0 + (policy.threshold - 1) * SECOND;
    expect(lockedUntil(failures, policy, last)).toBe(last + MINUTE);
    for (const lock of [2, 4, 8]) {
      last += SECOND;
      failures = withFailure(failures, policy, last);
      expect(lockedUntil(failures, policy, last)).toBe(last + lock * MINUTE);
    }
  });

  it('never locks longer than the window', () => {
    const failures = failuresFrom(T0, 4 * policy.threshold);
    const last = failures.at(-1)!;
    expect(lockedUntil(failures, policy, last)).toBe(last + policy.windowMs);
  });

  it('unlocks by itself: the lock ends, and the failures leave the window', () => {
    const failures = failuresFrom(T0, policy.threshold);
    const last = failures.at(-1)!;
    const until = lockedUntil(failures, policy, last);
    // Still counted after the lock ends (the instant it ends is not after it: `until > now` is the caller's test).
    expect(lockedUntil(failures, policy, until)).toBe(until);
    expect(lockedUntil(failures, policy, T0 + policy.windowMs)).toBe(0);
  });

  it('a failure after the earlier ones left the window starts counting afresh', () => {
    const old = failuresFrom(T0, policy.threshold);
    const fresh = withFailure(old, policy, T0 + policy.windowMs + 5 * SECOND);
    expect(fresh).toEqual([T0 + policy.windowMs + 5 * SECOND]);
    expect(lockedUntil(fresh, policy, T0 + policy.windowMs + 5 * SECOND)).toBe(0);
  });
});

describe('networkKey: what a client address is counted under', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1:2:3:4', 'fe80:0:0:0::/64'],
  ])('%s → %s', (ip, key) => {
    expect(networkKey(ip)).toBe(key);
  });

  it('puts every address of one /64 under one key, and another /64 under another', () => {
    expect(new Set(['2001:db8:a:b::1', '2001:db8:a:b::2', '2001:db8:a:b:1:2:3:4'].map(networkKey)).size).toBe(1);
    expect(networkKey('2001:db8:a:b::1')).not.toBe(networkKey('2001:db8:a:c::1'));
  });
});
