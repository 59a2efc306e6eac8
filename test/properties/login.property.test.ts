/**
 * Property tests of POST /login (RFC 6749 sections 4.1.2 and 10.12): whatever the form, cookies,
 * Origin and content type, the answer is never a 5xx; it is a page (never a redirect) unless the
 * right password was posted with this browser's request id and cookie, and then it goes only to
 * the redirect URI sealed at /authorize, with a code, the state and our `iss`.
 *
 * Fixed seed by default (FC_SEED 20261124, FC_NUM_RUNS 100). Long run:
 *   VITE_FC_NUM_RUNS=5000 VITE_FC_SEED=$RANDOM npx vitest run --project workers test/properties
 */
import fc from 'fast-check';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/crypto/password';
import { ISSUER, PBKDF2_FAST } from '../helpers/fixtures';
import { call, LOGIN_COOKIE } from '../helpers/http';
import { type PendingLogin, startLogin } from '../helpers/flow';
import { type Entries, expectAuthorizationResponse, expectPage, expectTrustedRedirect, headerSafe, mutate, mutationsOf, nastyString, runs, serialisation, serialise, timeoutFor } from '../helpers/fuzz';

const PASSWORD = 'fuzz-login-password';
let passwordHash: string;
let accounts = 0;

/**
 * A fresh account for every run: mutated passwords are failures, and five of them would lock a
 * shared account (the lock would then hide every later success from the oracle).
 */
async function freshAccount(): Promise<string> {
  const email = `fuzz-login-${++accounts}@example.com`;
  await env.DB.prepare('INSERT INTO users (id, email, password_hash) VALUES (?, ?, ?)').bind(`user_fuzz_${accounts}`, email, passwordHash).run();
  return email;
}
const NAMES = ['request_id', 'email', 'password', 'redirect_uri', 'client_id', 'state', 'code'];

const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED'] as const;

/** How the browser part of the request may differ: its cookie, its Origin, its content type. */
const adversarialBrowser = fc.record({
  cookie: fc.constantFrom('own', 'none', 'garbage', 'doubled', 'unprefixed', 'other-request'),
  origin: fc.oneof(fc.constantFrom(undefined, 'null', ISSUER, 'https://evil.example'), nastyString.map(headerSafe)),
  contentType: fc.constantFrom<string | undefined>(...FORM_TYPES, 'application/json', 'text/plain', 'multipart/form-data; boundary=x', undefined),
  ip: fc.ipV4(),
});

/** Mostly the browser that started the request, so that most runs reach the password check. */
const browser = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      cookie: fc.constant('own' as const),
      origin: fc.constantFrom(undefined, 'null', ISSUER),
      contentType: fc.constantFrom<string | undefined>(...FORM_TYPES),
      ip: fc.ipV4(),
    }),
  },
  { weight: 2, arbitrary: adversarialBrowser },
);

type Browser = typeof browser extends fc.Arbitrary<infer T> ? T : never;

async function cookieFor(kind: Browser['cookie'], pending: PendingLogin): Promise<string | undefined> {
  const value = pending.cookie.slice(LOGIN_COOKIE.length + 1);
  switch (kind) {
    case 'own':
      return pending.cookie;
    case 'none':
      return undefined;
    case 'garbage':
      return `${LOGIN_COOKIE}=${value.slice(0, 40)}AAAA${value.slice(44)}`;
    case 'doubled':
      return `${pending.cookie}; ${(await startLogin()).cookie}`;
    case 'unprefixed':
      return `edge-auth-login=${value}`;
    case 'other-request':
      return (await startLogin()).cookie;
  }
}

/** The invariants of every login answer. */
async function checkLogin(pending: PendingLogin, body: string, b: Browser): Promise<void> {
  const headers: Record<string, string> = { 'CF-Connecting-IP': b.ip };
  const cookie = await cookieFor(b.cookie, pending);
  if (cookie !== undefined) headers.Cookie = cookie;
  if (b.origin !== undefined) headers.Origin = b.origin;
  if (b.contentType !== undefined) headers['Content-Type'] = b.contentType;
  const response = await call('/login', { method: 'POST', headers, body });

  expect(response.status, body).toBeLessThan(500);
  const location = response.headers.get('Location');
  if (location === null) {
    expect([200, 400, 401, 403]).toContain(response.status);
    expectPage(response);
    return;
  }
  // A redirect only for this browser's own request: to the URI sealed at /authorize.
  expect(response.status).toBe(303);
  expect(['own', 'doubled']).toContain(b.cookie);
  const params = expectTrustedRedirect(location, [pending.params.client_id!], [pending.params.redirect_uri!]);
  expectAuthorizationResponse(params);
  expect(params.getAll('state')).toEqual([pending.params.state]);
}

beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD, PBKDF2_FAST);
});

describe('POST /login under random input', () => {
  it(
    'mutations of a valid sign-in: no 5xx, a page or a redirect to the sealed URI only',
    async () => {
      const account = fc.constantFrom('right password', 'right password', 'right password', 'wrong password', 'unknown account');
      // Now and then no mutation at all, so that sign-ins also succeed and their redirect is checked.
      const mutations = fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: mutationsOf(NAMES) });
      await fc.assert(
        fc.asyncProperty(account, mutations, serialisation, browser, async (kind, mutations, how, b) => {
          const pending = await startLogin({ state: 'login-fuzz-state' });
          const email = kind === 'unknown account' ? 'nobody-fuzz@example.com' : await freshAccount();
          const entries: Entries = [
            ['request_id', pending.requestId],
            ['email', email],
            ['password', kind === 'right password' ? PASSWORD : 'wrong'],
          ];
          await checkLogin(pending, serialise(mutate(entries, mutations), how), b);
        }),
        runs(11),
      );
    },
    timeoutFor(150),
  );

  it(
    'random bodies (form, JSON or bytes) with any cookie: the same invariants',
    async () => {
      const body = fc.oneof(
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...NAMES), nastyString), nastyString), { maxLength: 8 }).chain((entries) =>
          serialisation.map((how) => serialise(entries, how)),
        ),
        fc.jsonValue().map((value) => JSON.stringify(value)),
        fc.string({ unit: 'binary', maxLength: 300 }),
      );
      await fc.assert(
        fc.asyncProperty(body, browser, async (text, b) => {
          const pending = await startLogin({ state: 'login-fuzz-state' });
          await checkLogin(pending, text, b);
        }),
        runs(12),
      );
    },
    timeoutFor(150),
  );
});
