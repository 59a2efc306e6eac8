// The four servers of the benchmark and the only places where the native-app flow differs
// between them (bench/README.md, "The peers"). Everything else is the same for all four and lives
// in ./flows.mjs: client `demo-app` (or the id the server registered for it), redirect URI, scope,
// PKCE S256, `state`, the `email` and `password` fields, the code in the redirect's query.
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { BENCH, EDGE_CONFIG, FLOOR_CONFIG } from './servers.mjs';

export const AUDIENCE = 'https://api.example.com';

/** The flow edge-auth and the floor serve; a server without `flow` gets this one. */
export const NATIVE_FLOW = {
  paths: { authorize: '/authorize', login: '/login', token: '/oauth/token' },
  /** What POST /login answers with its redirect to the app. */
  loginStatus: 303,
  /** The login form's hidden field the driver posts back, or null when the form has none. */
  requestIdField: 'request_id',
  /** The token response's `token_type` (compared without case, RFC 6749 5.1), or null when it is not sent. */
  tokenType: 'bearer',
  /** How the warm-up checks access tokens: an ES256 JWT against the server's JWKS. */
  verify: { jwt: { typ: 'at+jwt', audience: AUDIENCE } },
};

const peerConfig = (name) => join(BENCH, `peers/${name}/wrangler.toml`);

/**
 * `config`: the wrangler.toml it is built and served from. `vars`: `floor` gets the floor's
 * (the seeded hash, the bench users; see run.mjs), `none` edge-auth's own. `counting`: a counting
 * build exists (bench/instrumented/), so its storage round trips are reported.
 */
export const SERVERS = {
  edge: { label: 'edge-auth', config: EDGE_CONFIG, vars: 'none', counting: true, flow: NATIVE_FLOW },
  floor: { label: 'floor', config: FLOOR_CONFIG, vars: 'floor', counting: true, flow: NATIVE_FLOW },
  oauthProvider: {
    label: 'workers-oauth-provider',
    config: peerConfig('workers-oauth-provider'),
    vars: 'floor',
    counting: false,
    flow: {
      ...NATIVE_FLOW,
      // createClient() picks the client id: the worker's bench-only route registers the client once.
      setup: async (url) => (await postJson(`${url}/bench/setup`)).client_id,
      // Opaque access tokens: the warm-up presents them to the library's own bearer check.
      verify: { api: '/api/me' },
    },
  },
  openauth: {
    label: 'openauth',
    config: peerConfig('openauth'),
    vars: 'floor',
    counting: false,
    flow: {
      // The issuer sends the browser to its one provider's page, `/<provider name>/authorize`.
      paths: { authorize: '/authorize', login: '/login/authorize', token: '/token' },
      loginStatus: 302,
      // The pending request is in the issuer's cookie alone.
      requestIdField: null,
      tokenType: null,
      // The client id is the audience; the JWT's typ is plain `JWT`.
      verify: { jwt: { typ: 'JWT', audience: 'demo-app' } },
    },
  },
};

export const PEERS = ['oauthProvider', 'openauth'];
export const label = (which) => SERVERS[which].label;
/** Peers by their label or key, as `--peers` takes them. */
export const peerByName = (name) => PEERS.find((p) => p === name || SERVERS[p].label === name);

async function postJson(url) {
  const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(30_000) });
  const body = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status}: ${body.slice(0, 200)}`);
  return JSON.parse(body);
}

/** Checks one access token the way the server's resource side would; throws with the reason. */
export async function verifyAccessToken(server, token, jwksCache) {
  const { verify } = server.flow;
  if (verify.jwt) {
    jwksCache.jwks ??= await fetch(`${server.url}/.well-known/jwks.json`, { signal: AbortSignal.timeout(30_000) })
      .then((r) => r.json())
      .then(createLocalJWKSet);
    await jwtVerify(token, jwksCache.jwks, { issuer: server.url, audience: verify.jwt.audience, typ: verify.jwt.typ });
    return;
  }
  const response = await fetch(`${server.url}${verify.api}`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  const body = await response.text();
  if (response.status !== 200 || !/"userId":"(user_demo|bench_user_\d+)"/.test(body)) throw new Error(`${verify.api}: HTTP ${response.status} ${body.slice(0, 120)}`);
}
