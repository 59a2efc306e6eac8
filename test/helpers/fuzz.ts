/**
 * For the property tests (test/properties): the run settings, arbitraries built by mutating a valid request,
 * and the oracles every answer must satisfy whatever was sent.
 *
 * Fixed seed in CI: FC_SEED (default 20261124) and FC_NUM_RUNS (default 100 per property). The
 * tests run inside workerd, which does not see the host's environment; the workers project passes
 * on host variables prefixed `FC_` (envPrefix in vitest.config.ts), so a long run is:
 *
 *   FC_NUM_RUNS=5000 FC_SEED=$RANDOM npx vitest run --project workers test/properties
 *
 * A failing run prints its seed and counterexample path; replay it with that FC_SEED.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { AUTHORIZATION_ERRORS, ERROR_DESCRIPTION, expectOAuthError, expectPageHeaders } from './assertions';
import { ISSUER, REGISTERED_REDIRECTS } from './fixtures';

/**
 * Read at run time from `process.env`, where the Vitest runner puts the `VITE_`-prefixed host
 * variables. Not from `import.meta.env`: Vite inlines that into the transformed module, and
 * Vitest's fsModuleCache keeps the transform between runs, so a changed value would be ignored.
 */
function setting(name: string): string | undefined {
  const processEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return processEnv?.[`VITE_${name}`] ?? processEnv?.[name];
}

function positiveInteger(name: string, fallback: number): number {
  const raw = setting(name);
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not ${raw}`);
  return value;
}

export const FC_SEED = positiveInteger('FC_SEED', 20261124);
export const FC_NUM_RUNS = Math.max(1, positiveInteger('FC_NUM_RUNS', 100));

/**
 * fast-check settings for one property; `offset` gives each property its own stream from the one
 * seed. `scale` lets a property that costs about a millisecond a run (GET /authorize) make several
 * times FC_NUM_RUNS for the same time budget.
 */
export function runs(offset: number, scale = 1): fc.Parameters<unknown> {
  return { seed: FC_SEED + offset, numRuns: FC_NUM_RUNS * scale, endOnFailure: false };
}

/** A vitest timeout that grows with the number of runs (`msPerRun` is generous: shrinking needs more). */
export function timeoutFor(msPerRun: number, scale = 1): number {
  return 20_000 + FC_NUM_RUNS * scale * msPerRun * 3;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

/** Values that have broken parsers before: encodings, separators, prototype names, look-alikes. */
const SPECIALS = [
  '', ' ', '%', '%00', '%zz', '%2525', '%C0%AF', '\u0000', '\r\n', '\t', '\\', '/', '..', '../', '#', '?', '&', '=', '+', ';', ',', '"', "'",
  '<script>alert(1)</script>', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'null', 'undefined', 'NaN', 'true',
  '-1', '0', '00', '1e309', '9007199254740993', 'ﬀ', 'İ', 'ß', 'K', '\ufeff', '\u202e', '😀', 'e\u0301', 'ｃ', 'javascript:alert(1)',
  'https://evil.example', '//evil.example', 'com.example.demo:/callback', 'com.example.demo:/callback/', 'COM.EXAMPLE.DEMO:/callback',
  'http://127.0.0.1:1/callback', 'http://127.0.0.1:0/callback', 'http://[::1]/callback', 'http://localhost/callback',
  'com.example.other:/callback', 'S256', 'plain', 'code', 'token', 'none', 'login', 'openid', 'offline_access', 'read:items',
  'demo-app', 'other-app', 'demo-api', 'authorization_code', 'refresh_token', 'https://api.example.com', 'demo@example.com',
];

const BIG_LENGTHS = [2047, 2048, 2049, 4096, 20_000];

/** A percent-encoding of `value` a careless decoder might decode twice. */
function percentEncodeAll(value: string): string {
  return [...new TextEncoder().encode(value)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 4, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...BIG_LENGTHS), fc.constantFrom('a', '%', 'é', '😀', '&')).map(([n, ch]) => ch.repeat(n)) },
  { weight: 1, arbitrary: fc.string({ minLength: 100, maxLength: 300 }) },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIALS).map(percentEncodeAll) },
);

export type Entries = [string, string][];

type Mutation =
  | { kind: 'drop'; index: number }
  | { kind: 'duplicate'; index: number; value: string | undefined }
  | { kind: 'replace'; index: number; value: string }
  | { kind: 'tweak'; index: number; at: number; insert: string; remove: number }
  | { kind: 'percent-encode'; index: number }
  | { kind: 'grow'; index: number; length: number }
  | { kind: 'rename'; index: number; name: string }
  | { kind: 'add'; name: string; value: string };

/**
 * Which parameter a mutation hits: uniform (fc.nat alone is biased towards 0, which would mutate
 * the first parameter far more often than the last); 5040 is divisible by every length up to 10.
 */
const index = fc.noBias(fc.nat({ max: 5039 }));

/** Value changes weigh more than structural ones: they keep the request shaped, so they reach deeper code. */
const mutation = (knownNames: readonly string[]): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('replace' as const), index, value: nastyString }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('grow' as const), index, length: fc.constantFrom(64, 256, 1024, 2047, 2048, 2049, 4096, 20_000) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tweak' as const), index, at: index, insert: fc.string({ unit: 'grapheme', maxLength: 3 }), remove: fc.nat({ max: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('percent-encode' as const), index }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), index }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), index, value: fc.option(nastyString, { nil: undefined }) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('rename' as const),
        index,
        name: fc.oneof(fc.constantFrom(...knownNames), nastyString, fc.constantFrom(...knownNames).map((n) => n.toUpperCase()), fc.constantFrom(...knownNames).map((n) => `${n} `)),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), name: fc.oneof(fc.constantFrom(...knownNames), nastyString), value: nastyString }) },
  );

function apply(entries: Entries, m: Mutation): Entries {
  const out: Entries = entries.map(([n, v]) => [n, v]);
  if (m.kind === 'add') return [...out, [m.name, m.value]];
  if (out.length === 0) return out;
  const i = m.index % out.length;
  const [name, value] = out[i]!;
  switch (m.kind) {
    case 'drop':
      out.splice(i, 1);
      break;
    case 'duplicate':
      out.splice(i + 1, 0, [name, m.value ?? value]);
      break;
    case 'replace':
      out[i] = [name, m.value];
      break;
    case 'tweak': {
      const at = value.length === 0 ? 0 : m.at % (value.length + 1);
      out[i] = [name, `${value.slice(0, at)}${m.insert}${value.slice(at + m.remove)}`];
      break;
    }
    case 'percent-encode':
      out[i] = [name, percentEncodeAll(value)];
      break;
    case 'grow':
      out[i] = [name, (value === '' ? 'x' : value).repeat(Math.ceil(m.length / Math.max(1, value.length))).slice(0, m.length)];
      break;
    case 'rename':
      out[i] = [m.name, value];
      break;
  }
  return out;
}

/** A valid request with (by default) one to three mutations: dropped, repeated, replaced, tweaked, encoded, grown, renamed or added parameters. */
export function mutationsOf(knownNames: readonly string[], minLength = 1): fc.Arbitrary<Mutation[]> {
  // Mostly one mutation: each run then probes one parameter deep instead of failing at the first.
  return fc.array(mutation(knownNames), { minLength, maxLength: 3, size: 'xsmall' });
}

export function mutate(entries: Entries, mutations: readonly Mutation[]): Entries {
  return mutations.reduce(apply, entries);
}

/** Entirely random parameters: known names with nasty values and nasty names, in any number. */
export function randomEntries(knownNames: readonly string[]): fc.Arbitrary<Entries> {
  return fc.array(fc.tuple(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...knownNames) }, { weight: 1, arbitrary: nastyString }), nastyString), { maxLength: 12 });
}

/**
 * Serialises parameters as a query or form body: properly encoded, or raw (a sloppy client's
 * `name=value` joined with `&`, which the server must survive however it decodes).
 */
export const serialisation = fc.constantFrom('encoded' as const, 'raw' as const);

/** Lone surrogates become U+FFFD, as every USVString conversion on the way would make them anyway. */
export function wellFormed(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export function serialise(entries: Entries, how: 'encoded' | 'raw'): string {
  if (how === 'encoded') return new URLSearchParams(entries.map(([n, v]) => [wellFormed(n), wellFormed(v)])).toString();
  return entries.map(([n, v]) => `${wellFormed(n)}=${wellFormed(v)}`).join('&');
}

/** Header values must be ByteStrings without CR, LF or NUL; anything else is dropped to printable ASCII. */
export function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '').trim();
}

// ---------------------------------------------------------------------------------------------
// Oracles
// ---------------------------------------------------------------------------------------------

/**
 * An independent oracle for RFC 8252 section 7.3 and RFC 9700 section 2.1, written without
 * src/oauth/redirect-uri.ts: exact match, or a loopback IP literal whose only difference is a port
 * 1-65535 written without leading zeros.
 */
export function isRegisteredRedirect(uri: string, registered: readonly string[]): boolean {
  if (registered.includes(uri)) return true;
  const loopback = /^http:\/\/(127\.0\.0\.1|\[::1\]):([1-9][0-9]{0,4})(\/[^]*)?$/.exec(uri);
  if (!loopback || Number(loopback[2]) > 65535) return false;
  return registered.includes(`http://${loopback[1]}${loopback[3] ?? ''}`);
}

/** A redirect is allowed only to a URI registered for the one client named (by the server's own parsing of the URL). */
export function expectTrustedRedirect(location: string, clientIds: string[], redirectUris: string[]): URLSearchParams {
  expect(clientIds, `redirect to ${location} with client_id ${JSON.stringify(clientIds)}`).toHaveLength(1);
  expect(redirectUris, `redirect to ${location} with redirect_uri ${JSON.stringify(redirectUris)}`).toHaveLength(1);
  const registered = Object.hasOwn(REGISTERED_REDIRECTS, clientIds[0]!) ? REGISTERED_REDIRECTS[clientIds[0]!]! : [];
  const redirectUri = redirectUris[0]!;
  expect(isRegisteredRedirect(redirectUri, registered), `${redirectUri} is registered for ${clientIds[0]}`).toBe(true);
  expect(location.startsWith(`${redirectUri}?`), `${location} starts with ${redirectUri}?`).toBe(true);
  return new URLSearchParams(location.slice(redirectUri.length + 1));
}

/** An authorization response sent to the app: an error of the RFC's set, a legal description, our iss. */
export function expectAuthorizationResponse(params: URLSearchParams): void {
  expect(params.getAll('iss')).toEqual([ISSUER]);
  const errors = params.getAll('error');
  if (errors.length === 0) {
    expect(params.getAll('code')).toHaveLength(1);
    return;
  }
  expect(errors).toHaveLength(1);
  expect(AUTHORIZATION_ERRORS.has(errors[0]!), `error ${errors[0]}`).toBe(true);
  expect(params.get('error_description') ?? '').toMatch(ERROR_DESCRIPTION);
  expect(params.has('code')).toBe(false);
}

/** An HTML page of ours: an error or a form, never a redirect, never cached. */
export function expectPage(response: Response): void {
  expect(response.headers.get('Location')).toBeNull();
  expectPageHeaders(response);
}

/** A token-endpoint answer: tokens, or an RFC 6749 section 5.2 error; never a redirect or a 5xx. */
export async function expectTokenEndpointAnswer(response: Response): Promise<void> {
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get('Location')).toBeNull();
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  if (response.status === 200) {
    const body = (await response.json()) as { access_token?: unknown; token_type?: unknown };
    expect(typeof body.access_token).toBe('string');
    expect(body.token_type).toBe('Bearer');
    return;
  }
  expect([400, 401, 413]).toContain(response.status);
  await expectOAuthError(response);
}
