import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/crypto/password';
import { ACCOUNT_POLICY, IP_POLICY, lockedUntil, networkKey, withFailure } from '../src/oauth/login-throttle';
import { startLogin, submitLogin } from './helpers';

const MINUTE = 60_000;

describe('login throttle policy (pure)', () => {
  it('locks after 5 failures in 15 minutes, then doubles the lock with each failure up to the window', () => {
    let failures: number[] = [];
    const t0 = 1_000_000_000;
    for (let i = 0; i < 4; i++) failures = withFailure(failures, ACCOUNT_POLICY, t0 + i);
    expect(lockedUntil(failures, ACCOUNT_POLICY, t0 + 10)).toBe(0);
    failures = withFailure(failures, ACCOUNT_POLICY, t0 + 4);
    expect(lockedUntil(failures, ACCOUNT_POLICY, t0 + 10)).toBe(t0 + 4 + MINUTE);
    failures = withFailure(failures, ACCOUNT_POLICY, t0 + 5);
    expect(lockedUntil(failures, ACCOUNT_POLICY, t0 + 10)).toBe(t0 + 5 + 2 * MINUTE);
    for (let i = 6; i < 20; i++) failures = withFailure(failures, ACCOUNT_POLICY, t0 + i);
    expect(lockedUntil(failures, ACCOUNT_POLICY, t0 + 20)).toBe(t0 + 19 + 15 * MINUTE);
  });

  it('forgets failures older than the window', () => {
    const t0 = 1_000_000_000;
    let failures: number[] = [];
    for (let i = 0; i < 5; i++) failures = withFailure(failures, ACCOUNT_POLICY, t0 + i);
    expect(lockedUntil(failures, ACCOUNT_POLICY, t0 + 16 * MINUTE)).toBe(0);
    expect(withFailure(failures, ACCOUNT_POLICY, t0 + 16 * MINUTE)).toEqual([t0 + 16 * MINUTE]);
  });

  it('is more lenient per IP than per account (carrier-grade NAT)', () => {
    expect(IP_POLICY.threshold).toBeGreaterThan(ACCOUNT_POLICY.threshold);
  });
});

describe('login throttle against the worker (Durable Object counters)', () => {
  const FAILED = 'Incorrect email or password. Check them, or wait a few minutes and try again.';
  const PASSWORD = 'throttle-password';

  // One account per test: a lock must not leak into the next test through shared storage.
  beforeAll(async () => {
    const hash = await hashPassword(PASSWORD, 1000);
    await env.DB.batch(
      ['locked', 'unlocked', 'reset'].map((name) =>
        env.DB.prepare('INSERT OR IGNORE INTO users (id, email, password_hash) VALUES (?, ?, ?)').bind(`user_${name}`, `${name}@example.com`, hash),
      ),
    );
  });

  it('locks the account after 5 failures with an answer identical to a wrong password, and the right password is refused too', async () => {
    const ip = { 'CF-Connecting-IP': '198.51.100.7' };
    const pending = await startLogin();
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await submitLogin(pending, { email: 'locked@example.com', password: `wrong-${i}` }, ip);
      expect(response.status).toBe(401);
      answers.push((await response.text()).replace(/nonce-[^'"]+|nonce="[^"]+"/g, ''));
    }
    const locked = await submitLogin(pending, { email: 'locked@example.com', password: PASSWORD }, { 'CF-Connecting-IP': '198.51.100.8' });
    expect(locked.status).toBe(401);
    const lockedText = (await locked.text()).replace(/nonce-[^'"]+|nonce="[^"]+"/g, '');
    expect(lockedText).toContain(FAILED);
    // The locked answer is byte for byte the answer to a wrong password.
    expect(lockedText).toBe(answers[4]);
  });

  it('an unknown account gets the same answer and is counted too', async () => {
    const pending = await startLogin();
    const response = await submitLogin(pending, { email: 'nobody@example.com' }, { 'CF-Connecting-IP': '198.51.100.9' });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain(FAILED);
  });

  it('locks an IP address that guesses across many accounts', async () => {
    const ip = { 'CF-Connecting-IP': '203.0.113.50' };
    const pending = await startLogin();
    for (let i = 0; i < IP_POLICY.threshold; i++) {
      expect((await submitLogin(pending, { email: `user${i}@example.com`, password: 'guess' }, ip)).status).toBe(401);
    }
    const unlocked = { email: 'unlocked@example.com', password: PASSWORD };
    // This account has no failures of its own, yet this IP is refused.
    expect((await submitLogin(pending, unlocked, ip)).status).toBe(401);
    // Another address signs in to it fine.
    expect((await submitLogin(pending, unlocked, { 'CF-Connecting-IP': '203.0.113.51' })).status).toBe(303);
  });

  it('a success before the lock clears the account’s failures', async () => {
    const ip = { 'CF-Connecting-IP': '192.0.2.10' };
    const account = { email: 'reset@example.com', password: PASSWORD };
    const pending = await startLogin();
    for (let i = 0; i < 4; i++) await submitLogin(pending, { ...account, password: 'wrong' }, ip);
    expect((await submitLogin(pending, account, ip)).status).toBe(303);
    const next = await startLogin();
    for (let i = 0; i < 4; i++) await submitLogin(next, { ...account, password: 'wrong' }, ip);
    // Without the reset these would be failures 5 to 8: locked. After it, still under the threshold.
    expect((await submitLogin(next, account, ip)).status).toBe(303);
  });
});

describe('network keys (regression: each IPv6 address was its own counter)', () => {
  it('counts IPv6 clients by their /64 and IPv4 clients by address', async () => {
    expect(networkKey('2001:db8:4:7::1')).toBe('2001:db8:4:7::/64');
    expect(networkKey('2001:0db8:0004:0007:ffff:0:0:1')).toBe('2001:db8:4:7::/64');
    expect(networkKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkKey('::1')).toBe('0:0:0:0::/64');
    expect(networkKey('198.51.100.7')).toBe('198.51.100.7');
  });
});
