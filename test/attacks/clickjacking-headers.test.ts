/**
 * RFC 6749 section 10.13 (clickjacking), RFC 9700 sections 4.2.4 and 4.16, RFC 6749 section 5.1:
 * every HTML page forbids framing (CSP frame-ancestors and X-Frame-Options), runs no inline script,
 * is not sniffed, leaks no referrer and is never cached; every response that carries a code, a
 * token or an error is not cached; CORS is open where browser apps need it and nowhere a person
 * types a password.
 */
import { env } from 'cloudflare:workers';
import { freshIp } from '../helpers/values';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, cookieFrom, form, SESSION_COOKIE } from '../helpers/http';
import { authorizePath, defaultAuthorization, introspect, obtainCode, reachConsent, redeem, refresh, startLogin, submitConsent, submitLogin } from '../helpers/flow';
import { expectPageHeaders } from '../helpers/assertions';
import { insertUsers } from '../helpers/storage';
import { DEMO_CLAIMED_REDIRECT } from '../helpers/fixtures';

const USER = { email: 'headers@example.com', password: 'headers-password' };
/** Each sign-in from an address of its own, so the file stays under the per-network limit. */
const ip = () => ({ 'CF-Connecting-IP': freshIp() });
const OFFLINE = { scope: 'openid read:items offline_access' };

let session: string;
let consentUsers = 0;

/** The consent page of partner-app, for a user of its own (consent is remembered per user). */
async function atConsent() {
  const email = `headers.consent.${++consentUsers}@example.com`;
  await insertUsers({ [email]: USER.password });
  return reachConsent(email, USER.password, {}, freshIp());
}

async function tokens(overrides = OFFLINE) {
  const issued = await obtainCode(overrides, { ...USER, ip: freshIp() });
  const response = await redeem(issued);
  return { response, body: (await response.clone().json()) as { access_token: string; refresh_token: string } };
}

/** Every HTML page edge-auth renders, reached the way a browser (or an attacker) would. */
const PAGES: [string, () => Promise<Response>][] = [
  ['the login form', async () => call('/login', { headers: { Cookie: (await startLogin()).cookie } })],
  ['the login form after a wrong password (401)', async () => submitLogin(await startLogin(), { email: USER.email, password: 'wrong' }, ip())],
  ['the login form with empty fields (400)', async () => submitLogin(await startLogin(), { email: '', password: '' }, ip())],
  ['the login page without a pending request', () => call('/login')],
  ['the login refusal for a foreign Origin (403)', async () => submitLogin(await startLogin(), USER, { Origin: 'https://evil.example' })],
  ['the login refusal for a malformed body', async () => call('/login', { method: 'POST', headers: { Cookie: (await startLogin()).cookie, 'Content-Type': 'text/plain' }, body: 'x' })],
  ['the login page for an unexpected failure (500)', async () => submitLogin(await startLogin(), { email: 'broken-hash@example.com', password: 'x' }, ip())],
  ['the authorization error page', async () => call(authorizePath((await defaultAuthorization({ redirect_uri: 'https://evil.example' })).params))],
  ['the logout confirmation', () => call('/logout', { headers: { Cookie: session } })],
  ['the signed-out page', () => call('/logout')],
  ['the logout error page', () => call('/logout?client_id=demo-app&post_logout_redirect_uri=https%3A%2F%2Fevil.example')],
  ['the logout refusal of a forged confirmation', () => call('/logout', form({ confirmation: 'forged' }, { headers: { Cookie: session } }))],
  ['the consent page', async () => call('/consent', { headers: { Cookie: (await atConsent()).cookie } })],
  ['the consent page without a pending request', () => call('/consent')],
  ['the consent refusal for a foreign Origin (403)', async () => submitConsent(await atConsent(), 'allow', { Origin: 'https://evil.example' })],
];

beforeAll(async () => {
  await insertUsers({ [USER.email]: USER.password });
  await env.DB.prepare(`INSERT OR IGNORE INTO users (id, email, password_hash) VALUES ('user_broken_hash', 'broken-hash@example.com', 'md5$x')`).run();
  session = cookieFrom(await submitLogin(await startLogin(), USER, ip()), SESSION_COOKIE);
});

describe('every HTML page resists framing and injection (RFC 6749 section 10.13)', () => {
  it.each(PAGES)('%s', async (_name, reach) => {
    const response = await reach();
    expectPageHeaders(response);
    const html = await response.text();
    expect(html).not.toMatch(/<iframe|<object|<embed|\son[a-z]+=/i);
    // The only style and script elements allowed are ours, with this response's nonce: a brand
    // colour's style, and our own script files (never a script from elsewhere).
    const csp = response.headers.get('Content-Security-Policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    for (const match of html.matchAll(/<style([^>]*)>/g)) expect(match[1]).toBe(` nonce="${nonce}"`);
    const scripts = [...html.matchAll(/<script([^>]*)>/gi)];
    for (const match of scripts) expect(match[1]).toMatch(new RegExp(`^ nonce="${nonce}" src="/static/[a-z-]+\\.js\\?v=[0-9a-f]{12}"$`));
    // The policy allows a script exactly where the page has one.
    if (scripts.length > 0) expect(csp).toContain(`script-src 'nonce-${nonce}'`);
    else expect(csp).not.toContain('script-src');
  });

  it('the nonce is fresh for every response', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) nonces.add((await call('/login')).headers.get('Content-Security-Policy')!);
    expect(nonces.size).toBe(5);
  });

  it('CSP forbids form posts elsewhere and base-tag hijacking', async () => {
    const csp = (await call('/login')).headers.get('Content-Security-Policy')!;
    expect(csp).toContain("base-uri 'none'");
    expect(csp).not.toMatch(/form-action\s+[^;]*\*/);
  });
});

describe('responses that carry a code never leak it (RFC 9700 section 4.2.4)', () => {
  it('the redirect after the login form: Referrer-Policy no-referrer and no-store', async () => {
    const response = await submitLogin(await startLogin(), USER, ip());
    expect(response.status).toBe(303);
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });

  it.each(['allow', 'deny'])('the redirect after the consent (%s): Referrer-Policy no-referrer and no-store', async (decision) => {
    const response = await submitConsent(await atConsent(), decision);
    expect(response.status).toBe(303);
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });

  it('the redirect of single sign-on: Referrer-Policy no-referrer and no-store', async () => {
    const { params } = await defaultAuthorization({ redirect_uri: DEMO_CLAIMED_REDIRECT });
    const response = await call(authorizePath(params), { headers: { Cookie: session } });
    expect(new URL(response.headers.get('Location')!).searchParams.get('code')).toBeTruthy();
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });
});

describe('Cache-Control: no-store on every token, error and login response (RFC 6749 section 5.1)', () => {
  const NO_STORE: [string, () => Promise<Response>][] = [
    ['a token response', async () => (await tokens()).response],
    ['a refresh response', async () => refresh((await tokens()).body.refresh_token)],
    ['a token error (400)', () => call('/oauth/token', form({ grant_type: 'authorization_code', client_id: 'demo-app' }))],
    ['a token error (401)', () => call('/oauth/token', form({ grant_type: 'authorization_code', client_id: 'nobody' }))],
    ['a token error (413)', () => call('/oauth/token', form({ grant_type: 'x', pad: 'x'.repeat(20_000) }))],
    ['a token error for an unsupported grant', () => call('/oauth/token', form({ grant_type: 'password' }))],
    ['a revocation', () => call('/oauth/revoke', form({ token: 'x', client_id: 'demo-app' }))],
    ['a revocation error', () => call('/oauth/revoke', form({ token: 'x' }))],
    ['an introspection', async () => introspect((await tokens()).body.access_token)],
    ['an introspection error', () => call('/oauth/introspect', form({ token: 'x', client_id: 'demo-app' }))],
    ['a userinfo response', async () => call('/userinfo', { headers: { Authorization: `Bearer ${(await tokens()).body.access_token}` } })],
    ['a userinfo error (401)', () => call('/userinfo', { headers: { Authorization: 'Bearer x' } })],
    ['a userinfo error (403)', async () => call('/userinfo', { headers: { Authorization: `Bearer ${(await tokens({ scope: 'read:items' })).body.access_token}` } })],
    ['a 404', () => call('/nope')],
    ['the redirect from /authorize to the login page', async () => call(authorizePath((await defaultAuthorization()).params))],
    ['a logout redirect', () => call('/logout?client_id=demo-app&post_logout_redirect_uri=com.example.demo%3A%2Fsigned-out')],
    ...PAGES,
  ];

  it.each(NO_STORE)('%s', async (_name, reach) => {
    const response = await reach();
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });

  // Regression for a finding of this suite (fixed in 97b44aa): the error redirect of /authorize
  // (redirectError in src/routes/authorize.ts) was sent without Cache-Control: no-store, unlike
  // every other error response and every code redirect.
  it.each([
    ['unsupported_response_type', { response_type: 'token' }],
    ['login_required', { prompt: 'none' }],
    ['invalid_request', { code_challenge: undefined }],
  ])('an authorization error redirect (%s)', async (_error, overrides) => {
    const response = await call(authorizePath((await defaultAuthorization(overrides)).params));
    expect(response.status).toBe(302);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });
});

describe('CORS: open for browser apps on token, JWKS, metadata and userinfo', () => {
  const OPEN: [string, string][] = [
    ['POST', '/oauth/token'],
    ['POST', '/oauth/revoke'],
    ['GET', '/userinfo'],
    ['POST', '/userinfo'],
    ['GET', '/.well-known/jwks.json'],
    ['GET', '/.well-known/openid-configuration'],
    ['GET', '/.well-known/oauth-authorization-server'],
  ];

  it.each(OPEN)('%s %s answers any origin, without credentials', async (method, path) => {
    const response = await call(path, {
      method,
      headers: { Origin: 'https://spa.example', ...(method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
      ...(method === 'POST' ? { body: 'grant_type=x' } : {}),
    });
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    expect(response.status).toBeLessThan(500);
  });

  it.each(OPEN)('%s %s allows the preflight', async (method, path) => {
    const response = await call(path, {
      method: 'OPTIONS',
      headers: { Origin: 'https://spa.example', 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Access-Control-Allow-Methods')).toContain(method);
    expect(response.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('Access-Control-Allow-Credentials')).toBeNull();
  });
});

describe('CORS: never on /login, /authorize, /consent or /logout', () => {
  const ORIGINS = ['https://evil.example', 'null', 'https://auth.example.test'];
  const CLOSED: [string, string, () => Promise<RequestInit>][] = [
    ['GET', '/login', async () => ({ headers: { Cookie: (await startLogin()).cookie } })],
    ['POST', '/login', async () => {
      const pending = await startLogin();
      return form({ request_id: pending.requestId, email: USER.email, password: 'wrong' }, { headers: { Cookie: pending.cookie, ...ip() } });
    }],
    ['GET', '/authorize', async () => ({})],
    ['GET', '/logout', async () => ({ headers: { Cookie: session } })],
    ['POST', '/logout', async () => form({ confirmation: 'x' }, { headers: { Cookie: session } })],
    ['GET', '/consent', async () => ({ headers: { Cookie: (await atConsent()).cookie } })],
    ['POST', '/consent', async () => {
      const consent = await atConsent();
      return form({ request_id: consent.requestId, decision: 'deny' }, { headers: { Cookie: consent.cookie } });
    }],
  ];

  function expectNoCors(response: Response): void {
    for (const [name] of response.headers) expect(name.toLowerCase().startsWith('access-control-'), name).toBe(false);
  }

  for (const origin of ORIGINS) {
    it.each(CLOSED)(`%s %s with Origin ${origin} gets no CORS headers`, async (method, path, init) => {
      const base = await init();
      const target = path === '/authorize' ? authorizePath((await defaultAuthorization()).params) : path;
      const headers = { ...(base.headers as Record<string, string> | undefined), Origin: origin };
      const response = await call(target, { ...base, method, headers });
      expectNoCors(response);
    });
  }

  it.each(['/login', '/authorize', '/consent', '/logout'])('a preflight to %s is not allowed', async (path) => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      const response = await call(path, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'content-type' },
      });
      expectNoCors(response);
      expect(response.status).toBeLessThan(500);
    }
  });
});
