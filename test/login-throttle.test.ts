/**
 * The sign-in limits against the worker: per account in the user's object (the lock), per client
 * network by the platform's Rate Limiting binding (LOGIN_NETWORK_LIMIT in wrangler.toml: 30
 * attempts a minute in each location). The pure lock is tested in test/unit/login-throttle.test.ts
 * and test/unit/account-record.test.ts.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/crypto/password';
import { networkKey } from '../src/oauth/login-throttle';
import { PBKDF2_FAST } from './helpers/fixtures';
import { exhaustNetwork, NETWORK_LIMIT, startLogin, submitLogin } from './helpers/flow';
import { readAccount } from './helpers/storage';
import { withoutNonce } from './helpers/assertions';

const FAILED = 'Incorrect email or password.';
const PASSWORD = 'throttle-password';
const ip = (address: string) => ({ 'CF-Connecting-IP': address });

beforeAll(async () => {
  const hash = await hashPassword(PASSWORD, PBKDF2_FAST);
  await env.DB.batch(
    ['locked', 'reset', 'refused-rule', 'probe'].map((name) =>
      env.DB.prepare('INSERT OR IGNORE INTO users (id, email, password_hash) VALUES (?, ?, ?)').bind(`user_throttle_${name.replace('-', '_')}`, `${name}@example.com`, hash),
    ),
  );
});

describe('per account: the lock in the user’s object', () => {
  it('locks after 5 failures with an answer identical to a wrong password, and the right password is refused too', async () => {
    const pending = await startLogin();
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await submitLogin(pending, { email: 'locked@example.com', password: `wrong-${i}` }, ip(`198.51.100.${i + 1}`));
      expect(response.status).toBe(401);
      answers.push(withoutNonce(await response.text()));
    }
    const locked = await submitLogin(pending, { email: 'locked@example.com', password: PASSWORD }, ip('198.51.100.8'));
    expect(locked.status).toBe(401);
    const lockedText = withoutNonce(await locked.text());
    expect(lockedText).toContain(FAILED);
    // The locked answer is byte for byte the answer to a wrong password.
    expect(lockedText).toBe(answers[4]);
  });

  it('an unknown account gets the same answer', async () => {
    const response = await submitLogin(await startLogin(), { email: 'nobody@example.com' }, ip('198.51.100.9'));
    expect(response.status).toBe(401);
    expect(await response.text()).toContain(FAILED);
  });

  it('a success before the lock clears the account’s failures', async () => {
    const account = { email: 'reset@example.com', password: PASSWORD };
    const pending = await startLogin();
    for (let i = 0; i < 4; i++) await submitLogin(pending, { ...account, password: 'wrong' }, ip('192.0.2.10'));
    expect((await submitLogin(pending, account, ip('192.0.2.10'))).status).toBe(303);
    const next = await startLogin();
    for (let i = 0; i < 4; i++) await submitLogin(next, { ...account, password: 'wrong' }, ip('192.0.2.11'));
    // Without the reset these would be failures 5 to 8: locked. After it, still under the threshold.
    expect((await submitLogin(next, account, ip('192.0.2.11'))).status).toBe(303);
  });
});

describe('per network: the Rate Limiting binding', () => {
  const probe = { email: 'probe@example.com', password: PASSWORD };

  it('refuses an address after its attempts in a window, for every account; other addresses are not refused', async () => {
    const pending = await startLogin();
    const guesses = await exhaustNetwork(pending, () => '203.0.113.50', probe);
    // Each round is a guess and a probe: the limit was not reached early.
    expect(2 * guesses + 2).toBeGreaterThanOrEqual(NETWORK_LIMIT);
    expect((await submitLogin(await startLogin(), probe, ip('203.0.113.51'))).status).toBe(303);
  });

  it('a refused attempt never counts against the account, and gives the same answer and state whatever the password', async () => {
    const pending = await startLogin();
    const address = '203.0.113.60';
    await exhaustNetwork(pending, () => address, probe);
    const before = await readAccount('user_throttle_refused_rule');
    const right = await submitLogin(pending, { email: 'refused-rule@example.com', password: PASSWORD }, ip(address));
    const answers = [withoutNonce(await right.text())];
    for (let i = 0; i < 10; i++) {
      const wrong = await submitLogin(pending, { email: 'refused-rule@example.com', password: `wrong-${i}` }, ip(address));
      answers.push(withoutNonce(await wrong.text()));
    }
    expect(new Set(answers).size).toBe(1);
    // Nothing was written for the account: ten refused wrong passwords did not lock it.
    expect(await readAccount('user_throttle_refused_rule')).toEqual(before);
    expect((await submitLogin(await startLogin(), { email: 'refused-rule@example.com', password: PASSWORD }, ip('203.0.113.61'))).status).toBe(303);
  });
});

describe('network keys (regression: each IPv6 address was its own counter)', () => {
  it('counts IPv6 clients by their /64 and IPv4 clients by address', () => {
    expect(networkKey('2001:db8:4:7::1')).toBe('2001:db8:4:7::/64');
    expect(networkKey('2001:0db8:0004:0007:ffff:0:0:1')).toBe('2001:db8:4:7::/64');
    expect(networkKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkKey('::1')).toBe('0:0:0:0::/64');
    expect(networkKey('198.51.100.7')).toBe('198.51.100.7');
  });
});
