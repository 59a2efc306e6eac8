/**
 * Property tests of POST /par (RFC 9126 section 2): whatever the body and credentials, the answer
 * is never a 5xx and never a redirect; it is a 201 with a request_uri of ours, or a JSON error of
 * the endpoint's set with `Cache-Control: no-store`. And a request_uri it issues is usable at
 * /authorize exactly once.
 *
 * Fixed seed by default, as the other property tests. Long run:
 *   VITE_FC_NUM_RUNS=5000 VITE_FC_SEED=$RANDOM npx vitest run --project workers test/properties
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectOAuthError, PUSH_ERRORS } from '../helpers/assertions';
import { call } from '../helpers/http';
import { pkcePair, pushedAuthorizePath } from '../helpers/flow';
import { type Entries, headerSafe, mutate, mutationsOf, nastyString, runs, serialisation, serialise, timeoutFor } from '../helpers/fuzz';

const NAMES = [
  'client_id', 'client_secret', 'redirect_uri', 'response_type', 'code_challenge', 'code_challenge_method', 'state', 'scope', 'nonce',
  'audience', 'prompt', 'max_age', 'response_mode', 'request', 'request_uri',
];

async function validEntries(): Promise<Entries> {
  const { challenge } = await pkcePair();
  return [
    ['client_id', 'demo-app'],
    ['redirect_uri', 'com.example.demo:/callback'],
    ['response_type', 'code'],
    ['code_challenge', challenge],
    ['code_challenge_method', 'S256'],
    ['state', 'fuzz-state'],
    ['scope', 'openid read:items'],
  ];
}

const authorization = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(`Basic ${btoa('demo-api:demo-api-secret')}`, `Basic ${btoa('demo-app:x')}`, 'Basic !!!', 'Bearer x') },
  { weight: 1, arbitrary: nastyString.map(headerSafe) },
);

/** The invariants of every /par answer; a request_uri it issues is then used twice. True when one was issued. */
async function checkPush(body: string, auth: string | undefined): Promise<boolean> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (auth !== undefined) headers.Authorization = auth;
  const response = await call('/par', { method: 'POST', headers, body });
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get('Location')).toBeNull();
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  if (response.status !== 201) {
    expect([400, 401, 413]).toContain(response.status);
    await expectOAuthError(response, undefined, undefined, PUSH_ERRORS);
    return false;
  }
  const { request_uri: requestUri } = (await response.json()) as { request_uri: string };
  expect(requestUri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
  const clientId = new URLSearchParams(body).get('client_id') ?? 'demo-app';
  const first = await call(pushedAuthorizePath(clientId, requestUri));
  expect(first.status).toBeLessThan(500);
  expect((await call(pushedAuthorizePath(clientId, requestUri))).status).toBe(400);
  return true;
}

describe('POST /par under random input', () => {
  it(
    'mutations of a valid push: no 5xx, no redirect, 201 or an RFC error; an issued request_uri works once',
    async () => {
      let issued = 0;
      await fc.assert(
        fc.asyncProperty(mutationsOf(NAMES), serialisation, authorization, async (mutations, how, auth) => {
          if (await checkPush(serialise(mutate(await validEntries(), mutations), how), auth)) issued++;
        }),
        runs(7),
      );
      // Some mutations leave the push valid: the 201 path is exercised too, not only refusals.
      expect(issued).toBeGreaterThan(0);
    },
    timeoutFor(40),
  );
});
