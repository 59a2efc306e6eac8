/**
 * RFC 9700 section 4.16 and RFC 6749 section 10.10 (credential guessing): failed logins are limited
 * per account (5 in 15 minutes) and per client IP (30), unknown accounts count like known ones, and
 * every refusal is the same answer as a wrong password, so the form tells an attacker neither that
 * an account exists nor that it is locked.
 *
 * Each test uses its own accounts and its own CF-Connecting-IP values: the throttle objects live
 * for the whole file, and a lock must not leak from one test into the next.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/crypto/password';
import { ACCOUNT_POLICY, IP_POLICY } from '../../src/oauth/login-throttle';
import { startLogin, submitLogin, type PendingLogin } from '../helpers';
import { createUsers, expectPageHeaders, withoutNonce } from './attack-helpers';

const PASSWORD = 'brute-force-password';
const ACCOUNTS = [
  ...['bf-same', 'bf-variants', 'bf-locked-answer', 'bf-ip-target', 'bf-ip-reset', 'bf-ipv6', 'bf-race', 'bf-race-ip', 'bf-empty', 'bf-other-ip'],
  ...Array.from({ length: 20 }, (_, i) => `bf-together-${i}`),
];
const email = (name: string) => `${name}@example.com`;

const ip = (address: string) => ({ 'CF-Connecting-IP': address });

async function attempt(pending: PendingLogin, account: string, password: string, address: string): Promise<Response> {
  return submitLogin(pending, { email: account, password }, ip(address));
}

/** What an observer sees of a refusal: status, headers and body, with the CSP nonce and the echoed email blanked. */
async function observable(response: Response, echoedEmail: string): Promise<string> {
  const headers = [...response.headers].filter(([name]) => name !== 'date').map(([name, value]) => `${name}: ${withoutNonce(value)}`);
  const body = withoutNonce(await response.text()).split(echoedEmail).join('EMAIL');
  return JSON.stringify({ status: response.status, headers, body });
}

beforeAll(async () => {
  await createUsers(Object.fromEntries(ACCOUNTS.map((name) => [email(name), PASSWORD])));
});

describe('one generic answer (no account enumeration, no lock disclosure)', () => {
  it('a wrong password, an unknown account, a locked account and a locked IP all get byte-identical answers', async () => {
    const pending = await startLogin();
    const wrong = await observable(await attempt(pending, email('bf-same'), 'wrong-1', '198.51.100.1'), email('bf-same'));
    const unknown = await observable(await attempt(pending, email('bf-nobody-1'), 'wrong-1', '198.51.100.2'), email('bf-nobody-1'));

    // Lock the account (from several addresses), then try its right password from a fresh one.
    for (let i = 0; i < ACCOUNT_POLICY.threshold; i++) await attempt(pending, email('bf-locked-answer'), `wrong-${i}`, `198.51.100.${10 + i}`);
    const lockedAccount = await observable(await attempt(pending, email('bf-locked-answer'), PASSWORD, '198.51.100.20'), email('bf-locked-answer'));

    // Lock an address (across unknown accounts), then try a right password from it.
    for (let i = 0; i < IP_POLICY.threshold; i++) await attempt(pending, email(`bf-spray-${i}`), 'guess', '198.51.100.30');
    const lockedIp = await observable(await attempt(pending, email('bf-same'), PASSWORD, '198.51.100.30'), email('bf-same'));

    expect(JSON.parse(wrong).status).toBe(401);
    expect(unknown).toBe(wrong);
    expect(lockedAccount).toBe(wrong);
    expect(lockedIp).toBe(wrong);
  });

  it('the answer keeps the page headers and sets no cookie', async () => {
    const response = await attempt(await startLogin(), email('bf-nobody-2'), 'x', '198.51.100.40');
    expectPageHeaders(response);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('per-account limit (5 failures in 15 minutes)', () => {
  it('spelling the email differently does not give an attacker a fresh counter', async () => {
    const pending = await startLogin();
    const variants = ['BF-VARIANTS@EXAMPLE.COM', ' bf-variants@example.com', 'bf-variants@example.com ', 'Bf-Variants@Example.Com', '\tbf-variants@example.com\n'];
    for (const [i, spelling] of variants.entries()) {
      expect((await attempt(pending, spelling, `wrong-${i}`, `198.51.101.${i}`)).status).toBe(401);
    }
    // Five failures in all: the account is locked for every spelling and every address.
    expect((await attempt(pending, email('bf-variants'), PASSWORD, '198.51.101.50')).status).toBe(401);
    expect((await attempt(pending, 'BF-variants@example.com', PASSWORD, '198.51.101.51')).status).toBe(401);
  });

  it('failures on an unknown account count: an account created later is locked', async () => {
    const pending = await startLogin();
    const later = email('bf-created-later');
    for (let i = 0; i < ACCOUNT_POLICY.threshold; i++) expect((await attempt(pending, later, `wrong-${i}`, `198.51.102.${i}`)).status).toBe(401);
    await env.DB.prepare('INSERT INTO users (id, email, password_hash) VALUES (?, ?, ?)').bind('user_bf_created_later', later, await hashPassword(PASSWORD, 1000)).run();
    expect((await attempt(pending, later, PASSWORD, '198.51.102.50')).status).toBe(401);
  });

  it('four failures do not lock, and empty or oversized fields are not counted at all', async () => {
    const pending = await startLogin();
    for (let i = 0; i < 10; i++) expect((await attempt(pending, email('bf-empty'), '', `198.51.103.${i}`)).status).toBe(400);
    for (let i = 0; i < 10; i++) expect((await attempt(pending, email('bf-empty'), 'x'.repeat(1025), `198.51.103.${20 + i}`)).status).toBe(400);
    for (let i = 0; i < ACCOUNT_POLICY.threshold - 1; i++) expect((await attempt(pending, email('bf-empty'), 'wrong', `198.51.103.${40 + i}`)).status).toBe(401);
    expect((await attempt(pending, email('bf-empty'), PASSWORD, '198.51.103.60')).status).toBe(303);
  });
});

describe('per-IP limit (30 failures in 15 minutes)', () => {
  it('an address spraying unknown accounts is locked for every account, and other addresses are not', async () => {
    const pending = await startLogin();
    const sprayer = '203.0.113.70';
    for (let i = 0; i < IP_POLICY.threshold; i++) await attempt(pending, email(`bf-unknown-${i}`), 'Password1!', sprayer);
    expect((await attempt(pending, email('bf-ip-target'), PASSWORD, sprayer)).status).toBe(401);
    expect((await attempt(pending, email('bf-other-ip'), PASSWORD, '203.0.113.71')).status).toBe(303);
  });

  it('a success from the address does not clear its failures', async () => {
    const address = '203.0.113.80';
    const pending = await startLogin();
    for (let i = 0; i < IP_POLICY.threshold - 1; i++) await attempt(pending, email(`bf-reset-unknown-${i}`), 'guess', address);
    // The attacker's own valid account, signed in from the same address...
    expect((await attempt(pending, email('bf-ip-reset'), PASSWORD, address)).status).toBe(303);
    const next = await startLogin();
    // ...does not buy another 30 guesses: one more failure reaches the limit.
    await attempt(next, email('bf-reset-unknown-last'), 'guess', address);
    expect((await attempt(next, email('bf-ip-reset'), PASSWORD, address)).status).toBe(401);
  });

  // Regression for a finding of this suite (fixed in 97b44aa): the per-IP counter was named by the
  // full CF-Connecting-IP, so a client holding an IPv6 /64 could send every guess from a fresh
  // address and never reach the per-IP limit. IPv6 clients are now counted by their /64
  // (networkKey in src/oauth/login-throttle.ts).
  it('addresses of one IPv6 /64 share the per-IP limit', async () => {
    const pending = await startLogin();
    for (let i = 0; i < IP_POLICY.threshold; i++) await attempt(pending, email(`bf-v6-unknown-${i}`), 'guess', `2001:db8:4:7::${(i + 1).toString(16)}`);
    expect((await attempt(pending, email('bf-ipv6'), PASSWORD, '2001:db8:4:7::ffff')).status).toBe(401);
  });
});

describe('concurrent guessing', () => {
  // Regressions for a finding of this suite (fixed in 97b44aa): the login read both counters, then
  // verified the password, then recorded the failure, with awaits in between, so guesses sent at
  // once all read "not locked": of 30 concurrent guesses for one account the right one, sent last,
  // was accepted after 29 failures, and the per-IP limit did not bound a burst either. Attempts
  // are now reserved in the same synchronous step that reads the lock (LoginThrottleStore.reserve).
  it('guesses sent at once cannot get past the account limit', async () => {
    const pending = await startLogin();
    const guesses = Array.from({ length: 30 }, (_, i) => (i === 29 ? PASSWORD : `wrong-${i}`));
    const responses = await Promise.all(guesses.map((password, i) => attempt(pending, email('bf-race'), password, `198.51.104.${i}`)));
    const accepted = responses.filter((r) => r.status === 303).length;
    expect(accepted).toBe(0);
  });

  it('guesses sent at once from one address cannot get past the per-IP burst limit', async () => {
    const address = '198.51.105.3';
    const pending = await startLogin();
    // Sent at once, the guesses count against each other while in flight: past IP_POLICY.burstLimit
    // (above the threshold, so people signing in together behind one NAT are not refused) the
    // rest, and the right password sent last, are refused.
    const burst = await Promise.all([
      ...Array.from({ length: IP_POLICY.burstLimit + 10 }, (_, i) => attempt(pending, email(`bf-race-ip-burst-${i}`), 'guess', address)),
      attempt(pending, email('bf-race-ip'), PASSWORD, address),
    ]);
    expect(burst.at(-1)!.status).toBe(401);
    // And once those failures are recorded, the address is locked for a sequential guess too.
    expect((await attempt(await startLogin(), email('bf-race-ip'), PASSWORD, address)).status).toBe(401);
  });

  it('people signing in at the same moment with the right password are not locked out (regression)', async () => {
    // Each attempt used to be counted as a failure until its password checked out, so more than
    // five sign-ins in flight for one account (or thirty behind one address) locked it.
    const pending = await Promise.all(Array.from({ length: 20 }, () => startLogin()));
    const responses = await Promise.all(pending.map((p, i) => attempt(p, email(`bf-together-${i}`), PASSWORD, '198.51.106.1')));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(303));
  });
});
