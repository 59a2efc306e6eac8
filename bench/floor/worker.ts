import { scryptSync } from 'node:crypto';
import { DurableObject } from 'cloudflare:workers';
import { findUser, verifyPassword } from '../peers/shared/login';

/**
 * The floor of the benchmark: the least work any correct authorization server of edge-auth's
 * design must do for one native-app sign-in (authorization code with PKCE S256, public client):
 *
 *   GET  /authorize    check client, redirect URI, PKCE and scope against an in-memory registry;
 *                      seal the pending request into a cookie (AES-GCM); redirect to /login
 *   GET  /login        unseal the cookie; render the form
 *   POST /login        unseal; one PBKDF2-SHA256 verification; one Durable Object write of the
 *                      code's hash with its challenge; 303 to the app
 *   POST /oauth/token  one atomic take of the code in its Durable Object; S256 check; one JWT
 *                      signed (ES256) with a key held in memory
 *
 * No D1, no logs, no library: what is left is the cost of the architecture itself, so edge-auth's
 * figures can be read against it. Keys are made on first use, never at module top level.
 */

interface Env {
  CODES: DurableObjectNamespace<CodeStore>;
  ISSUER: string;
  USER_EMAIL: string;
  /** `pbkdf2-sha256$<iterations>$<salt>$<hash>`, the same format and cost as edge-auth's users. */
  USER_PASSWORD_HASH: string;
  /** How many bench users (`bench-user-<i>@example.com`) exist besides USER_EMAIL, all with USER_PASSWORD_HASH. */
  BENCH_USERS: string;
  CODE_TTL_SECONDS: string;
}

const CLIENT_ID = 'demo-app';
const REDIRECT_URIS = new Set(['com.example.demo:/callback']);
const SCOPES = new Set(['openid', 'read:items', 'write:items']);
const AUDIENCE = 'https://api.example.com';
const COOKIE = 'floor-login';
const REQUEST_TTL_MS = 600_000;
const ACCESS_TOKEN_TTL_SECONDS = 3600;
const B64URL_43 = /^[A-Za-z0-9_-]{43}$/;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const REQUEST_ID = /^[A-Za-z0-9_-]{22}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const randomId = (bytes: number) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));
const sha256 = async (text: string) => base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))));

function equal(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.byteLength === right.byteLength && crypto.subtle.timingSafeEqual(left, right);
}

interface Keys {
  sealing: CryptoKey;
  signing: CryptoKeyPair;
}

/** Made on first use and kept for the isolate's life; the promise is shared so concurrent first requests agree. */
let keys: Promise<Keys> | undefined;
function getKeys(): Promise<Keys> {
  keys ??= (async () => ({
    sealing: (await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])) as CryptoKey,
    signing: (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair,
  }))();
  return keys;
}

interface PendingRequest {
  id: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  state: string | undefined;
  expiresAt: number;
}

async function seal(value: PendingRequest): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, (await getKeys()).sealing, encoder.encode(JSON.stringify(value)));
  const out = new Uint8Array(12 + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), 12);
  return base64url(out);
}

async function pendingRequest(request: Request): Promise<PendingRequest | undefined> {
  const cookie = request.headers.get('Cookie') ?? '';
  const value = cookie
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
  if (!value) return undefined;
  try {
    const bytes = fromBase64url(value);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, (await getKeys()).sealing, bytes.subarray(12));
    const pending = JSON.parse(decoder.decode(plain)) as PendingRequest;
    return pending.expiresAt > Date.now() ? pending : undefined;
  } catch {
    return undefined;
  }
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const PAGE_HEADERS = {
  ...NO_STORE,
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

const page = (status: number, body: string) => new Response(`<!doctype html><title>Sign in</title>${body}`, { status, headers: PAGE_HEADERS });
const oauthError = (error: string, status = 400) =>
  new Response(JSON.stringify({ error }), { status, headers: { ...NO_STORE, 'Content-Type': 'application/json' } });

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

async function authorize(url: URL): Promise<Response> {
  const params = url.searchParams;
  const redirectUri = params.get('redirect_uri') ?? '';
  if (params.get('client_id') !== CLIENT_ID || !REDIRECT_URIS.has(redirectUri)) return page(400, '<p>Invalid request</p>');
  const challenge = params.get('code_challenge') ?? '';
  const scope = params.get('scope') ?? '';
  const state = params.get('state') ?? undefined;
  const fail = (error: string) => {
    const to = new URL(redirectUri);
    to.searchParams.set('error', error);
    if (state !== undefined) to.searchParams.set('state', state);
    return new Response(null, { status: 302, headers: { ...NO_STORE, Location: to.href } });
  };
  if (params.get('response_type') !== 'code') return fail('unsupported_response_type');
  if (params.get('code_challenge_method') !== 'S256' || !B64URL_43.test(challenge)) return fail('invalid_request');
  if (scope === '' || !scope.split(' ').every((s) => SCOPES.has(s))) return fail('invalid_scope');

  const pending: PendingRequest = { id: randomId(16), redirectUri, challenge, scope, state, expiresAt: Date.now() + REQUEST_TTL_MS };
  const cookie = `${COOKIE}=${await seal(pending)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600`;
  return new Response(null, { status: 302, headers: { ...NO_STORE, Location: '/login', 'Set-Cookie': cookie } });
}

function loginForm(pending: PendingRequest, status = 200): Response {
  return page(
    status,
    `<form method="post" action="/login"><input type="hidden" name="request_id" value="${escapeHtml(pending.id)}">` +
      '<label>Email <input name="email" type="email" required></label>' +
      '<label>Password <input name="password" type="password" required></label><button>Continue</button></form>',
  );
}

async function login(request: Request, env: Env): Promise<Response> {
  const pending = await pendingRequest(request);
  if (!pending) return page(400, '<p>Sign-in session expired</p>');
  const form = new URLSearchParams(await request.text());
  if (!equal(form.get('request_id') ?? '', pending.id)) return page(400, '<p>Sign-in session expired</p>');
  const userId = findUser((form.get('email') ?? '').trim().toLowerCase(), env);
  // Hashed whether or not the account exists, so the answer's timing does not tell.
  const valid = await verifyPassword(form.get('password') ?? '', env.USER_PASSWORD_HASH);
  if (!valid || !userId) return loginForm(pending, 401);

  const code = `${pending.id}.${randomId(32)}`;
  const grant: StoredCode = {
    codeHash: await sha256(code),
    clientId: CLIENT_ID,
    redirectUri: pending.redirectUri,
    challenge: pending.challenge,
    scope: pending.scope,
    userId,
    expiresAt: Date.now() + Number(env.CODE_TTL_SECONDS) * 1000,
    taken: false,
  };
  if (!(await env.CODES.get(env.CODES.idFromName(pending.id)).issue(grant, pending.expiresAt))) {
    return page(400, '<p>Sign-in session expired</p>');
  }
  const to = new URL(pending.redirectUri);
  to.searchParams.set('code', code);
  if (pending.state !== undefined) to.searchParams.set('state', pending.state);
  to.searchParams.set('iss', env.ISSUER);
  return new Response(null, {
    status: 303,
    headers: { ...NO_STORE, 'Referrer-Policy': 'no-referrer', Location: to.href, 'Set-Cookie': `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` },
  });
}

async function signJwt(payload: Record<string, unknown>): Promise<string> {
  const header = base64url(encoder.encode(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'floor' })));
  const body = base64url(encoder.encode(JSON.stringify(payload)));
  const input = `${header}.${body}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, (await getKeys()).signing.privateKey, encoder.encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

async function token(request: Request, env: Env): Promise<Response> {
  const form = new URLSearchParams(await request.text());
  if (form.get('grant_type') !== 'authorization_code') return oauthError('unsupported_grant_type');
  if (form.get('client_id') !== CLIENT_ID) return oauthError('invalid_client', 401);
  const code = form.get('code') ?? '';
  const verifier = form.get('code_verifier') ?? '';
  const requestId = code.split('.')[0] ?? '';
  if (!REQUEST_ID.test(requestId) || !VERIFIER.test(verifier)) return oauthError('invalid_request');

  const grant = await env.CODES.get(env.CODES.idFromName(requestId)).take(await sha256(code));
  if (!grant || grant.clientId !== CLIENT_ID || grant.redirectUri !== form.get('redirect_uri')) return oauthError('invalid_grant');
  if (!equal(await sha256(verifier), grant.challenge)) return oauthError('invalid_grant');

  const now = Math.floor(Date.now() / 1000);
  const accessToken = await signJwt({
    iss: env.ISSUER,
    sub: grant.userId,
    aud: AUDIENCE,
    client_id: CLIENT_ID,
    scope: grant.scope,
    iat: now,
    exp: now + ACCESS_TOKEN_TTL_SECONDS,
    jti: randomId(16),
  });
  return new Response(JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, scope: grant.scope }), {
    headers: { ...NO_STORE, 'Content-Type': 'application/json' },
  });
}

async function jwks(): Promise<Response> {
  const jwk = (await crypto.subtle.exportKey('jwk', (await getKeys()).signing.publicKey)) as JsonWebKey;
  return Response.json({ keys: [{ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: 'floor', alg: 'ES256', use: 'sig' }] });
}

/** Bench-only: `n` sequential verifications of the demo user's hash, so the PBKDF2 cost can be read on its own. */
async function pbkdf2(url: URL, env: Env): Promise<Response> {
  const n = Math.min(Math.max(Number(url.searchParams.get('n')) || 1, 1), 200);
  const started = performance.now();
  let ok = 0;
  for (let i = 0; i < n; i++) if (await verifyPassword('demo-password', env.USER_PASSWORD_HASH)) ok++;
  return Response.json({ n, ok, ms: performance.now() - started });
}

/**
 * Bench-only: `n` scrypt hashes at edge-auth's default (OWASP's N=2^14, r=8, p=5; src/crypto/password.ts),
 * measured beside PBKDF2 for the choice of default.
 */
async function scryptCost(url: URL): Promise<Response> {
  const n = Math.min(Math.max(Number(url.searchParams.get('n')) || 1, 1), 50);
  const started = performance.now();
  for (let i = 0; i < n; i++) scryptSync('demo-password', 'bench-salt-16byt', 32, { N: 2 ** 14, r: 8, p: 5, maxmem: 128 * 2 ** 14 * 8 + 2 ** 20 });
  return Response.json({ n, ok: n, ms: performance.now() - started });
}

export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case 'GET /authorize':
        return authorize(url);
      case 'GET /login': {
        const pending = await pendingRequest(request);
        return pending ? loginForm(pending) : page(400, '<p>Sign-in session expired</p>');
      }
      case 'POST /login':
        return login(request, env);
      case 'POST /oauth/token':
        return token(request, env);
      case 'GET /.well-known/jwks.json':
        return jwks();
      case 'GET /bench/pbkdf2':
        return pbkdf2(url, env);
      case 'GET /bench/scrypt':
        return scryptCost(url);
      default:
        return new Response('not found', { status: 404 });
    }
  },
} satisfies ExportedHandler<Env>;

interface StoredCode {
  codeHash: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  userId: string;
  expiresAt: number;
  taken: boolean;
}

/**
 * One object per authorization request, as in edge-auth: `issue` writes the code once, `take`
 * checks and spends it in one synchronous step (SQLite-backed storage), and the alarm removes the
 * record when the request can no longer be used.
 */
export class CodeStore extends DurableObject<Env> {
  async issue(code: StoredCode, keepUntil: number): Promise<boolean> {
    if (this.ctx.storage.kv.get('code') !== undefined) return false;
    this.ctx.storage.kv.put('code', code);
    await this.ctx.storage.setAlarm(Math.max(keepUntil, code.expiresAt));
    return true;
  }

  async take(codeHash: string): Promise<StoredCode | undefined> {
    const code = this.ctx.storage.kv.get<StoredCode>('code');
    if (!code || code.taken || !equal(code.codeHash, codeHash) || Date.now() >= code.expiresAt) return undefined;
    this.ctx.storage.kv.put('code', { ...code, taken: true });
    return code;
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
