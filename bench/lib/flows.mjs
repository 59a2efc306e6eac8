// The native app's side of a sign-in, over real HTTP with manual redirects and cookies, as
// test/e2e/native-app.test.ts does it: GET /authorize -> GET /login -> POST /login -> POST /oauth/token.
// Where a peer's URLs or fields differ, its adapter (`target.flow`, ./adapters.mjs) says so.
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { NATIVE_FLOW } from './adapters.mjs';

export const CLIENT_ID = 'demo-app';
export const REDIRECT_URI = 'com.example.demo:/callback';
/** No `openid`: both servers sign exactly one JWT, the access token. */
export const SCOPE = 'read:items';
const DEMO_EMAIL = 'demo@example.com';
const PASSWORD = 'demo-password';

/**
 * Each flow is a different person on a different network, as real traffic is: the bench users
 * (`bench-user-<i>@example.com`, seeded into the bench's own D1 with the demo user's password hash)
 * taken in turn, and a `CF-Connecting-IP` of its own, which local workerd passes to the worker as
 * Cloudflare would set it. One account or one address signing in dozens of times at once is what
 * a brute-force throttle is for, and edge-auth's would refuse it. `users = 1` uses the demo user.
 */
let users = 256;
let flowCount = 0;
export function setUsers(count) {
  users = count;
}
export const benchUserEmail = (i) => `bench-user-${i}@example.com`;

function identity() {
  const n = flowCount++;
  const email = users === 1 ? DEMO_EMAIL : benchUserEmail(n % users);
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  return { email, ip };
}
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_ERROR_MESSAGES = 10;

export const ENDPOINTS = ['authorize', 'loginForm', 'login', 'token'];
export const ENDPOINT_LABELS = {
  authorize: 'GET /authorize',
  loginForm: 'GET /login',
  login: 'POST /login',
  token: 'POST /oauth/token',
};

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');
/** The server's differences from edge-auth's flow; the counting and profiled builds have none. */
const flowOf = (target) => target.flow ?? NATIVE_FLOW;
const clientId = (target) => target.clientId ?? CLIENT_ID;

class StepError extends Error {}

/** What one target's runs recorded: latencies, errors, every code seen (for duplicates). */
export class Recorder {
  constructor() {
    this.latency = Object.fromEntries(ENDPOINTS.map((e) => [e, []]));
    this.flowLatency = [];
    this.errors = 0;
    this.errorMessages = [];
    this.codes = new Set();
    this.duplicateCodes = 0;
    this.tokens = [];
  }

  error(endpoint, message) {
    this.errors++;
    if (this.errorMessages.length < MAX_ERROR_MESSAGES) this.errorMessages.push(`${ENDPOINT_LABELS[endpoint]}: ${message}`);
  }

  code(code) {
    if (this.codes.has(code)) this.duplicateCodes++;
    else this.codes.add(code);
  }
}

/** A browser's cookies for one flow: name -> value, as Set-Cookie left them. */
function updateJar(jar, response) {
  for (const header of response.headers.getSetCookie()) {
    const [pair, ...attributes] = header.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }
}

const cookieHeader = (jar) => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

async function send(recorder, endpoint, url, init) {
  const started = performance.now();
  let response;
  let body;
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    body = await response.text();
  } catch (error) {
    throw new StepError(`${error?.name ?? 'Error'}: ${error?.message ?? error}`);
  }
  recorder.latency[endpoint].push(performance.now() - started);
  recorder.onResponse?.(endpoint, response);
  return { response, body };
}

function expectStatus(response, body, status) {
  if (response.status !== status) throw new StepError(`HTTP ${response.status}, expected ${status}: ${body.slice(0, 160).replace(/\s+/g, ' ')}`);
}

/** Step 1: the app opens the authorization URL; the server answers with its login page's address and a cookie. */
async function authorize(target, recorder) {
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const paths = flowOf(target).paths;
  const query = new URLSearchParams({
    client_id: clientId(target),
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    state,
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  });
  const who = identity();
  const { response, body } = await send(recorder, 'authorize', `${target.url}${paths.authorize}?${query}`, { headers: { 'CF-Connecting-IP': who.ip } });
  expectStatus(response, body, 302);
  const loginUrl = new URL(response.headers.get('Location') ?? '', target.url);
  if (loginUrl.origin !== target.url || loginUrl.pathname !== paths.login) throw new StepError(`redirected to ${loginUrl.href}`);
  const jar = new Map();
  updateJar(jar, response);
  if (jar.size === 0) throw new StepError('no cookie for the pending request');
  return { verifier, state, loginUrl: loginUrl.href, jar, ...who };
}

/** Step 2: the browser loads the login form; its hidden field carries the pending request's id. */
async function loginForm(target, recorder, flow) {
  const { response, body } = await send(recorder, 'loginForm', flow.loginUrl, {
    headers: { Cookie: cookieHeader(flow.jar), 'CF-Connecting-IP': flow.ip },
  });
  expectStatus(response, body, 200);
  const field = flowOf(target).requestIdField;
  if (!field) {
    if (!/<form /.test(body)) throw new StepError('no login form');
    return;
  }
  const requestId = new RegExp(`name="${field}" value="([^"]+)"`).exec(body)?.[1];
  if (!requestId) throw new StepError(`no ${field} in the login form`);
  flow.requestId = requestId;
}

/** Step 3: the user signs in; the server sends the browser back to the app with a code. */
async function login(target, recorder, flow) {
  const { paths, requestIdField, loginStatus } = flowOf(target);
  const form = new URLSearchParams(requestIdField ? { [requestIdField]: flow.requestId } : {});
  form.set('email', flow.email);
  form.set('password', PASSWORD);
  const { response, body } = await send(recorder, 'login', `${target.url}${paths.login}`, {
    method: 'POST',
    headers: { Cookie: cookieHeader(flow.jar), 'Content-Type': 'application/x-www-form-urlencoded', 'CF-Connecting-IP': flow.ip },
    body: form.toString(),
  });
  expectStatus(response, body, loginStatus);
  updateJar(flow.jar, response);
  const location = response.headers.get('Location') ?? '';
  if (!location.startsWith(`${REDIRECT_URI}?`)) throw new StepError(`redirected to ${location.slice(0, 80)}`);
  const params = new URL(location).searchParams;
  if (params.has('error')) throw new StepError(`redirected with error=${params.get('error')}: ${(params.get('error_description') ?? '').slice(0, 160)}`);
  if (params.get('state') !== flow.state) throw new StepError('state does not match');
  const code = params.get('code');
  if (!code) throw new StepError(`no code: ${location.slice(0, 120)}`);
  recorder.code(code);
  flow.code = code;
}

/** Step 4: the app redeems the code with its verifier (and a DPoP proof, given one: edge-auth only). */
async function token(target, recorder, flow, dpopProof) {
  const { paths, tokenType: bearerType } = flowOf(target);
  const tokenType = dpopProof === undefined ? bearerType : 'dpop';
  const { response, body } = await send(recorder, 'token', `${target.url}${paths.token}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'CF-Connecting-IP': flow.ip,
      ...(dpopProof !== undefined && { DPoP: dpopProof }),
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId(target),
      code: flow.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: flow.verifier,
    }).toString(),
  });
  expectStatus(response, body, 200);
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    throw new StepError('the token response is not JSON');
  }
  const typeOk = tokenType === null ? json.token_type === undefined : String(json.token_type).toLowerCase() === tokenType;
  if (typeof json.access_token !== 'string' || json.access_token === '' || !typeOk) throw new StepError(`no bearer token: ${body.slice(0, 120)}`);
  flow.accessToken = json.access_token;
}

const STEPS = { loginForm, login, token };

/** Runs `fn(i)` for i in [0, n) with at most `concurrency` at once, stopping early at `deadline`. */
export async function pool(n, concurrency, deadline, fn) {
  let next = 0;
  const worker = async () => {
    while (next < n && Date.now() < deadline) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
  return next;
}

/** One whole sign-in; false when a step failed (recorded). */
export async function runFlow(target, recorder, keepToken = false) {
  const started = performance.now();
  let endpoint = 'authorize';
  try {
    const flow = await authorize(target, recorder);
    for (endpoint of ['loginForm', 'login', 'token']) await STEPS[endpoint](target, recorder, flow);
    recorder.flowLatency.push(performance.now() - started);
    if (keepToken && recorder.tokens.length < 5) recorder.tokens.push(flow.accessToken);
    return true;
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    recorder.error(endpoint, error.message);
    return false;
  }
}

/**
 * A DPoP proof (RFC 9449 section 4.2) for edge-auth's token endpoint, ES256 with WebCrypto: its
 * signature is already the raw r||s that JWS wants.
 */
async function dpopProof(key, htu, nonce) {
  const part = (value) => base64url(Buffer.from(JSON.stringify(value)));
  const header = part({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
  const payload = part({ htm: 'POST', htu, iat: Math.floor(Date.now() / 1000), jti: base64url(randomBytes(16)), ...(nonce && { nonce }) });
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, Buffer.from(`${header}.${payload}`));
  return `${header}.${payload}.${base64url(new Uint8Array(signature))}`;
}

/**
 * The token phase again with DPoP (edge-auth only): `n` sign-ins carried to their code outside
 * the measurement, a server nonce fetched and the proofs signed beforehand, then `measure(fn)`
 * around the token requests alone, so the worker's CPU for a DPoP token request (one more
 * signature check, a nonce unsealed and one issued) stands beside the Bearer one.
 */
export async function runDpopTokenPhase(target, recorder, n, concurrency, deadline, measure) {
  const flows = [];
  await pool(n, concurrency, deadline, async () => {
    try {
      const flow = await authorize(target, recorder);
      await loginForm(target, recorder, flow);
      await login(target, recorder, flow);
      flows.push(flow);
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      recorder.error('token', error.message);
    }
  });
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const key = { privateKey: pair.privateKey, publicJwk: { kty, crv, x, y } };
  const htu = `${target.url}${flowOf(target).paths.token}`;
  // edge-auth always asks for a nonce: the first proof is refused with use_dpop_nonce and one.
  const asked = await fetch(htu, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: await dpopProof(key, htu) },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId(target), refresh_token: 'x' }).toString(),
  });
  const nonce = asked.headers.get('DPoP-Nonce') ?? undefined;
  const proofs = await Promise.all(flows.map(() => dpopProof(key, htu, nonce)));
  await measure(() =>
    pool(flows.length, concurrency, deadline, async (i) => {
      try {
        await token(target, recorder, flows[i], proofs[i]);
      } catch (error) {
        if (!(error instanceof StepError)) throw error;
        recorder.error('token', error.message);
      }
    }),
  );
}

/**
 * The per-endpoint phases, each hitting one endpoint at `concurrency`: `n` sign-ins are carried
 * through /authorize, the login form, the login and the token request, one phase per endpoint.
 * The cheap, repeatable requests are sent `repeat` times as often for a finer CPU reading: extra
 * authorizations the user abandons, and the login form reloaded. `measure(endpoint, fn)` wraps each
 * phase (CPU accounting); `fn` returns how many requests it sent. A failed flow drops out.
 */
export async function runPhases(target, recorder, n, repeat, concurrency, deadline, measure) {
  const attempt = async (endpoint, fn) => {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      recorder.error(endpoint, error.message);
      return undefined;
    }
  };
  let flows = new Array(n);
  await measure('authorize', () =>
    pool(n * repeat, concurrency, deadline, async (i) => {
      const flow = await attempt('authorize', () => authorize(target, recorder));
      if (i < n) flows[i] = flow;
    }),
  );
  flows = flows.filter(Boolean);
  await measure('loginForm', () =>
    pool(flows.length * repeat, concurrency, deadline, async (i) => {
      const flow = flows[i % flows.length];
      if (!flow) return;
      const ok = await attempt('loginForm', async () => {
        await loginForm(target, recorder, flow);
        return true;
      });
      if (!ok) flows[i % flows.length] = undefined;
    }),
  );
  for (const endpoint of ['login', 'token']) {
    flows = flows.filter(Boolean);
    const alive = flows;
    await measure(endpoint, () =>
      pool(alive.length, concurrency, deadline, async (i) => {
        const ok = await attempt(endpoint, async () => {
          await STEPS[endpoint](target, recorder, alive[i]);
          return true;
        });
        if (!ok) alive[i] = undefined;
      }),
    );
  }
}
