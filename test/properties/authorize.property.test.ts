/**
 * Property tests of GET /authorize (RFC 6749 section 4.1.1, RFC 9700 section 4.1): whatever the
 * parameters, the answer is never a 5xx, never a redirect to a URI not registered for the client,
 * and every redirected response is an RFC-shaped authorization response with our `iss`.
 *
 * Fixed seed by default (FC_SEED 20261124, FC_NUM_RUNS 100; these cheap properties make five
 * times FC_NUM_RUNS). Long run:
 *   VITE_FC_NUM_RUNS=5000 VITE_FC_SEED=$RANDOM npx vitest run --project workers test/properties
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ISSUER } from '../helpers/fixtures';
import { call, cookieFrom, LOGIN_COOKIE } from '../helpers/http';
import { pkcePair } from '../helpers/flow';
import { type Entries, expectAuthorizationResponse, expectPage, expectTrustedRedirect, mutate, mutationsOf, nastyString, randomEntries, runs, serialisation, serialise, timeoutFor } from '../helpers/fuzz';

const NAMES = [
  'client_id', 'redirect_uri', 'response_type', 'code_challenge', 'code_challenge_method', 'state', 'scope', 'nonce', 'audience',
  'prompt', 'max_age', 'response_mode', 'iss', 'login_hint', 'request', 'request_uri', 'claims',
];

/** Valid requests of both seeded public clients, including a loopback one with a port. */
const VALID = fc.constantFrom(
  { client_id: 'demo-app', redirect_uri: 'com.example.demo:/callback', scope: 'openid read:items offline_access' },
  { client_id: 'demo-app', redirect_uri: 'http://127.0.0.1:50123/callback', scope: 'read:items' },
  { client_id: 'other-app', redirect_uri: 'com.example.other:/callback', scope: 'openid read:items' },
);

async function validEntries(base: { client_id: string; redirect_uri: string; scope: string }): Promise<Entries> {
  const { challenge } = await pkcePair();
  return [
    ['client_id', base.client_id],
    ['redirect_uri', base.redirect_uri],
    ['response_type', 'code'],
    ['code_challenge', challenge],
    ['code_challenge_method', 'S256'],
    ['state', 'fuzz-state'],
    ['scope', base.scope],
    ['nonce', 'fuzz-nonce'],
  ];
}

/** The invariants of every /authorize answer; the oracle parses the URL exactly as the worker receives it. */
async function checkAuthorize(path: string): Promise<void> {
  const response = await call(path);
  expect(response.status, path).toBeLessThan(500);
  const location = response.headers.get('Location');
  if (location === null) {
    expect(response.status).toBe(400);
    expectPage(response);
    return;
  }
  expect(response.status).toBe(302);
  if (location === '/login') {
    expect(cookieFrom(response, LOGIN_COOKIE)).toBeTruthy();
    return;
  }
  const sent = new URL(path, ISSUER).searchParams;
  const params = expectTrustedRedirect(location, sent.getAll('client_id'), sent.getAll('redirect_uri'));
  expectAuthorizationResponse(params);
  // No session was sent, so no code can have been issued.
  expect(params.has('code')).toBe(false);
}

describe('GET /authorize under random input', () => {
  it(
    'mutations of a valid request: no 5xx, no untrusted redirect, RFC-shaped responses',
    async () => {
      await fc.assert(
        fc.asyncProperty(VALID, mutationsOf(NAMES), serialisation, async (base, mutations, how) => {
          await checkAuthorize(`/authorize?${serialise(mutate(await validEntries(base), mutations), how)}`);
        }),
        runs(1, 5),
      );
    },
    timeoutFor(30, 5),
  );

  it(
    'random parameters with a known or random client: the same invariants',
    async () => {
      const client = fc.constantFrom<Entries>([], [['client_id', 'demo-app']], [['client_id', 'other-app']], [['client_id', 'demo-app'], ['redirect_uri', 'com.example.demo:/callback']]);
      await fc.assert(
        fc.asyncProperty(client, randomEntries(NAMES), serialisation, async (prefix, entries, how) => {
          await checkAuthorize(`/authorize?${serialise([...prefix, ...entries], how)}`);
        }),
        runs(2, 5),
      );
    },
    timeoutFor(30, 5),
  );

  it(
    'random raw query strings: the same invariants',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(nastyString, fc.string({ unit: 'binary', maxLength: 200 })), async (query) => {
          await checkAuthorize(`/authorize?client_id=demo-app&redirect_uri=com.example.demo%3A%2Fcallback&${query}`);
          await checkAuthorize(`/authorize?${query}`);
        }),
        runs(3, 5),
      );
    },
    timeoutFor(30, 5),
  );
});
