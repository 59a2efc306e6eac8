/**
 * Dynamic client registration (RFC 7591) and its read and delete (RFC 7592), as MCP clients use
 * them: the policy per deployment (CLIENT_REGISTRATION), what may be registered, the answer, the
 * registration access token, expiry of unused clients by the cron, and a whole sign-in by a
 * registered client, which is unverified: consent is asked and single sign-on never skips a page.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearRegistryCache } from '../src/db/registry';
import { scheduled } from '../src/scheduled';
import { expectLoginRedirect, expectOAuthError, expectTokenResponse } from './helpers/assertions';
import { ISSUER } from './helpers/fixtures';
import { authorizeWith, startLogin, submitLogin } from './helpers/flow';
import { call, cookieFrom, form, LOGIN_COOKIE, SESSION_COOKIE } from './helpers/http';
import { management, ok, waitForAudit, type ClientJson } from './helpers/management';
import {
  callWith,
  INITIAL_ACCESS_TOKEN,
  LOOPBACK,
  MCP_CLIENT,
  OPEN,
  register,
  registered,
  REGISTRATION_ERRORS,
  TOKEN_POLICY,
  type ClientInformation,
} from './helpers/registration';
import { flipAt, freshIp } from './helpers/values';

const DAY_MS = 86_400_000;

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

function registration(client: { client_id: string }, method: 'GET' | 'DELETE', token: string | undefined, vars: Record<string, string> = {}) {
  return callWith(vars, `/register/${client.client_id}`, { method, headers: token === undefined ? {} : bearer(token) });
}

const storedClient = (id: string) => env.DB.prepare('SELECT * FROM clients WHERE id = ?').bind(id).first<Record<string, unknown>>();

async function expectBearerRefusal(response: Response): Promise<void> {
  expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="edge-auth"/);
  await expectOAuthError(response, 401, 'invalid_token', new Set(['invalid_token']));
}

describe('the policy per deployment (CLIENT_REGISTRATION)', () => {
  it('off, as wrangler.toml ships it: no endpoint, and discovery does not name one', async () => {
    const response = await call('/register', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(MCP_CLIENT) });
    expect(response.status).toBe(404);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'not_found', error_description: 'Dynamic client registration is not enabled on this server.' });
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      expect(await (await call(path)).json()).not.toHaveProperty('registration_endpoint');
    }
  });

  it('open: anyone registers, and discovery names the endpoint', async () => {
    expect((await register(MCP_CLIENT)).status).toBe(201);
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      expect(await (await callWith(OPEN, path)).json()).toMatchObject({ registration_endpoint: `${ISSUER}/register` });
    }
  });

  it('open: limited per network (REGISTRATION_NETWORK_LIMIT, 5 a minute), with 429 and Retry-After', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    let refused: Response | undefined;
    // The platform's windows are aligned to the clock: a run may straddle one boundary, so two windows' worth at most.
    for (let i = 0; i < 12 && !refused; i++) {
      const response = await register(MCP_CLIENT, { headers: { 'CF-Connecting-IP': ip } });
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(refused, `statuses ${statuses.join(',')}`).toBeDefined();
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(5);
    expect(statuses.slice(0, -1).every((s) => s === 201)).toBe(true);
    expect(refused!.headers.get('Retry-After')).toBe('60');
    await expectOAuthError(refused!, 429, 'temporarily_unavailable', new Set(['temporarily_unavailable']));
    // Another network is not affected.
    expect((await register(MCP_CLIENT)).status).toBe(201);
  });

  it('token: only with the initial access token as a Bearer token', async () => {
    await expectBearerRefusal(await register(MCP_CLIENT, { vars: TOKEN_POLICY }));
    await expectBearerRefusal(await register(MCP_CLIENT, { vars: TOKEN_POLICY, headers: bearer(`${INITIAL_ACCESS_TOKEN}x`) }));
    await expectBearerRefusal(await register(MCP_CLIENT, { vars: TOKEN_POLICY, headers: bearer(INITIAL_ACCESS_TOKEN.slice(0, -1)) }));
    await expectBearerRefusal(await register(MCP_CLIENT, { vars: TOKEN_POLICY, headers: { Authorization: `Basic ${btoa('a:b')}` } }));
    expect((await register(MCP_CLIENT, { vars: TOKEN_POLICY, headers: bearer(INITIAL_ACCESS_TOKEN) })).status).toBe(201);
    expect(await (await callWith(TOKEN_POLICY, '/.well-known/oauth-authorization-server')).json()).toMatchObject({ registration_endpoint: `${ISSUER}/register` });
  });

  it('token without a secret of 32 characters or more stays closed', async () => {
    for (const secret of ['', 'short-secret']) {
      const vars = { CLIENT_REGISTRATION: 'token', CLIENT_REGISTRATION_TOKEN: secret };
      expect((await register(MCP_CLIENT, { vars, headers: bearer(secret || 'x') })).status).toBe(404);
      expect(await (await callWith(vars, '/.well-known/oauth-authorization-server')).json()).not.toHaveProperty('registration_endpoint');
    }
  });

  it('answers CORS preflights from any origin, for browser-based MCP clients', async () => {
    for (const [path, method] of [['/register', 'POST'], ['/register/some-client', 'DELETE']]) {
      const response = await callWith(OPEN, path!, {
        method: 'OPTIONS',
        headers: { Origin: 'https://inspector.example.com', 'Access-Control-Request-Method': method!, 'Access-Control-Request-Headers': 'authorization, content-type' },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(response.headers.get('Access-Control-Allow-Methods')).toContain(method);
      expect(response.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization');
    }
  });

  it('answers other methods with 405 and the allowed ones', async () => {
    const response = await callWith(OPEN, '/register');
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('POST');
  });
});

describe('the answer (RFC 7591 section 3.2.1): exactly what was registered', () => {
  it('for an MCP client: a public client with refresh tokens, a registration access token and where to use it', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await register(MCP_CLIENT);
    expect(response.status).toBe(201);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const body = (await response.json()) as ClientInformation;
    expect(response.headers.get('Location')).toBe(body.registration_client_uri);
    expect(Object.keys(body).sort()).toEqual([
      'client_id',
      'client_id_issued_at',
      'client_name',
      'grant_types',
      'redirect_uris',
      'registration_access_token',
      'registration_client_uri',
      'response_types',
      'scope',
      'token_endpoint_auth_method',
    ]);
    expect(body).toMatchObject({
      client_name: 'Example MCP Client',
      redirect_uris: MCP_CLIENT.redirect_uris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile email offline_access mcp:tools read:items write:items',
      registration_client_uri: `${ISSUER}/register/${body.client_id}`,
    });
    expect(body.client_id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(body.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.client_id_issued_at).toBeGreaterThanOrEqual(before - 1);

    // Stored as unverified and dynamic; the token only as its hash.
    const stored = await storedClient(body.client_id);
    expect(stored).toMatchObject({ type: 'public', secret_hash: null, registration: 'dynamic', last_used_at: null, require_consent: 1, sso_confirmation: 'always' });
    expect(stored!.registration_token_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(stored)).not.toContain(body.registration_access_token);

    // The Management API (and `npm run admin -- clients list`) shows where it came from.
    const json = await ok<ClientJson & { registration: string; last_used_at: string | null; audiences: string[] }>(await management('GET', `/clients/${body.client_id}`));
    expect(json).toMatchObject({ registration: 'dynamic', last_used_at: null, sso_confirmation: 'always', require_consent: true });
    // Every API but the Management API (the dev seed has the Example API and the example MCP server's).
    expect(json.audiences).toEqual(['http://127.0.0.1:8788/mcp', 'https://api.example.com']);
    const seeded = await ok<{ registration: string }>(await management('GET', '/clients/demo-app'));
    expect(seeded.registration).toBe('management');
    await waitForAudit(`event=client_registered&client_id=${body.client_id}`, (items) => items.length === 1);
  });

  it('with the defaults filled in and the scopes reduced to those offered; metadata it does not use is ignored', async () => {
    const body = await registered({ redirect_uris: ['com.example.mcp:/callback'] });
    expect(body).toMatchObject({ client_name: 'Unnamed app', grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' });
    const reduced = await registered({
      ...MCP_CLIENT,
      grant_types: ['authorization_code'],
      scope: 'read:items openid admin:everything read:items',
      logo_uri: 'http://tracker.example.com/pixel.png',
      client_uri: 'https://mcp-client.example.com',
      contacts: ['someone@example.com'],
      software_statement: 'not.a.jwt',
    });
    expect(reduced).toMatchObject({ grant_types: ['authorization_code'], scope: 'read:items openid' });
    // With refresh_token, offline_access comes too: without it no refresh token would be issued.
    expect(await registered({ ...MCP_CLIENT, scope: 'read:items' })).toMatchObject({ grant_types: ['authorization_code', 'refresh_token'], scope: 'read:items offline_access' });
    expect(reduced).not.toHaveProperty('logo_uri');
    expect((await storedClient(reduced.client_id))!.logo_uri).toBeNull();
  });

  it('accepts http://localhost with its port, as Claude Code registers it; the port must then match exactly', async () => {
    const localhost = 'http://localhost:35535/oauth/callback';
    const body = await registered({ ...MCP_CLIENT, redirect_uris: [localhost] });
    expect(body.redirect_uris).toEqual([localhost]);
    const authorize = (redirect: string) =>
      callWith({}, `/authorize?${new URLSearchParams({ client_id: body.client_id, redirect_uri: redirect, response_type: 'code', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', audience: 'https://api.example.com' })}`);
    expectLoginRedirect(await authorize(localhost));
    expect((await authorize('http://localhost:35536/oauth/callback')).status).toBe(400);
  });

  it('offers only the APIs listed in REGISTERED_CLIENT_AUDIENCES, when set', async () => {
    const vars = { ...OPEN, REGISTERED_CLIENT_AUDIENCES: 'https://no-such-api.example.com' };
    const body = await registered({ redirect_uris: [LOOPBACK] }, vars);
    expect(body.scope).toBe('openid profile email offline_access');
    expect(JSON.parse(String((await storedClient(body.client_id))!.audiences))).toEqual([]);
  });
});

describe('what may not be registered (RFC 7591 section 3.2.2)', () => {
  const uris = (...redirect_uris: unknown[]) => ({ ...MCP_CLIENT, redirect_uris });
  it.each([
    ['no redirect_uris', { client_name: 'x' }],
    ['an empty list', uris()],
    ['http to a host that is not loopback', uris('http://mcp-client.example.com/callback')],
    ['localhost not in canonical form', uris('http://LOCALHOST:3000/callback')],
    ['a fragment', uris('https://mcp-client.example.com/callback#frag')],
    ['a wildcard', uris('https://*.example.com/callback')],
    ['a private-use scheme that is not a reverse domain name', uris('mcpclient:/callback')],
    ['user information', uris('https://user:pass@mcp-client.example.com/callback')],
    ['a relative URI', uris('/callback')],
    ['a URI that is not a string', uris(42)],
    ['a repeated URI', uris(LOOPBACK, LOOPBACK)],
    ['too many URIs', uris(...Array.from({ length: 11 }, (_, i) => `http://127.0.0.1:${50_000 + i}/callback`))],
    ['a URI too long', uris(`https://mcp-client.example.com/${'a'.repeat(2048)}`)],
  ])('%s: invalid_redirect_uri', async (_name, metadata) => {
    await expectOAuthError(await register(metadata), 400, 'invalid_redirect_uri', REGISTRATION_ERRORS);
  });

  it.each([
    ['a confidential client (client_secret_basic)', { token_endpoint_auth_method: 'client_secret_basic' }],
    ['a confidential client (client_secret_post)', { token_endpoint_auth_method: 'client_secret_post' }],
    ['private_key_jwt', { token_endpoint_auth_method: 'private_key_jwt' }],
    ['client_credentials', { grant_types: ['authorization_code', 'client_credentials'] }],
    ['the implicit grant', { grant_types: ['implicit'] }],
    ['refresh_token alone', { grant_types: ['refresh_token'] }],
    ['grant_types not a list', { grant_types: 'authorization_code' }],
    ['response_type token', { response_types: ['code', 'token'] }],
    ['an empty client_name', { client_name: '  ' }],
    ['a client_name too long', { client_name: 'n'.repeat(101) }],
    ['a client_name with control characters', { client_name: 'Good\u0007App' }],
    ['a client_name that is not a string', { client_name: ['a'] }],
    ['no scope this server offers', { scope: 'admin:everything' }],
    ['a scope that is not a string', { scope: ['openid'] }],
    ['a scope too long', { scope: 'openid '.repeat(200) }],
  ])('%s: invalid_client_metadata', async (_name, change) => {
    await expectOAuthError(await register({ ...MCP_CLIENT, ...change }), 400, 'invalid_client_metadata', REGISTRATION_ERRORS);
  });

  it.each([
    ['not JSON', '{"redirect_uris": [', 400],
    ['a JSON array', '[]', 400],
    ['a repeated member', `{"redirect_uris": ["${LOOPBACK}"], "redirect_uris": ["https://evil.example.com/cb"]}`, 400],
    ['larger than 16 KiB', JSON.stringify({ ...MCP_CLIENT, padding: 'x'.repeat(17 * 1024) }), 413],
  ])('a body %s: invalid_client_metadata, never stored', async (_name, body, status) => {
    await expectOAuthError(await register(undefined, { body }), status, 'invalid_client_metadata', REGISTRATION_ERRORS);
  });

  it('a body that is not JSON by its media type', async () => {
    const response = await register(undefined, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'redirect_uris=x' });
    await expectOAuthError(response, 400, 'invalid_client_metadata', REGISTRATION_ERRORS);
  });
});

describe('reading and deleting a registration (RFC 7592) with its registration access token', () => {
  it('reads what was registered with the right token, refuses every other', async () => {
    const client = await registered();
    const read = await registration(client, 'GET', client.registration_access_token);
    expect(read.status).toBe(200);
    expect(read.headers.get('Cache-Control')).toBe('no-store');
    expect(await read.json()).toEqual(client);

    const other = await registered();
    await expectBearerRefusal(await registration(client, 'GET', undefined));
    await expectBearerRefusal(await registration(client, 'GET', other.registration_access_token));
    // flipAt changes the character whatever it was: appending a fixed one was a no-op for one token in 64.
    await expectBearerRefusal(await registration(client, 'GET', flipAt(client.registration_access_token, client.registration_access_token.length - 1)));
    // A client an operator made has no registration to read, whatever the token.
    await expectBearerRefusal(await registration({ client_id: 'demo-app' }, 'GET', client.registration_access_token));
    await expectBearerRefusal(await registration({ client_id: 'x'.repeat(200) }, 'GET', client.registration_access_token));
  });

  it('works whatever the policy says now: a registered client can always remove itself', async () => {
    const client = await registered();
    expect((await registration(client, 'GET', client.registration_access_token, { CLIENT_REGISTRATION: 'off' })).status).toBe(200);
  });

  it('deletes with the right token only; the client is gone at once', async () => {
    const client = await registered();
    await expectBearerRefusal(await registration(client, 'DELETE', (await registered()).registration_access_token));
    expect(await storedClient(client.client_id)).not.toBeNull();

    const deleted = await registration(client, 'DELETE', client.registration_access_token);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get('Cache-Control')).toBe('no-store');
    expect(await storedClient(client.client_id)).toBeNull();
    await expectBearerRefusal(await registration(client, 'GET', client.registration_access_token));
    await waitForAudit(`event=client_registration_deleted&client_id=${client.client_id}`, (items) => items.length === 1);
    const authorized = await callWith({}, `/authorize?client_id=${client.client_id}&redirect_uri=${encodeURIComponent(LOOPBACK)}&response_type=code`);
    expect(authorized.status).toBe(400);
  });
});

describe('expiry: a registered client unused for REGISTERED_CLIENT_IDLE_DAYS is deleted by the cron', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  async function runCronAt(now: number): Promise<void> {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    const ctx = createExecutionContext();
    await scheduled(createScheduledController({ scheduledTime: now, cron: '17 3 * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    vi.useRealTimers();
  }

  it('deletes the unused ones 30 days on, keeps one used since and every operator-made client', async () => {
    const unused = await registered();
    const used = await registered();
    const registeredAt = Date.now();
    // Used two days after registration: 29 days before the cron runs.
    await env.DB.prepare('UPDATE clients SET last_used_at = ? WHERE id = ?').bind(registeredAt + 2 * DAY_MS, used.client_id).run();

    await runCronAt(registeredAt + 29 * DAY_MS);
    expect(await storedClient(unused.client_id)).not.toBeNull();

    await runCronAt(registeredAt + 31 * DAY_MS);
    expect(await storedClient(unused.client_id)).toBeNull();
    expect(await storedClient(used.client_id)).not.toBeNull();
    expect(await storedClient('demo-app')).not.toBeNull();
    clearRegistryCache();
    expect((await callWith({}, `/authorize?client_id=${unused.client_id}&redirect_uri=${encodeURIComponent(LOOPBACK)}&response_type=code`)).status).toBe(400);
    const [event] = await waitForAudit(`event=client_expired&client_id=${unused.client_id}`, (items) => items.length === 1);
    expect(event).toMatchObject({ actor: 'system', detail: { idle_days: 30 } });

    await runCronAt(registeredAt + 33 * DAY_MS);
    expect(await storedClient(used.client_id)).toBeNull();
  });
});

describe('a whole sign-in by a registered client: authorization code with PKCE, consent, refresh', () => {
  it('asks consent on a page that shows where the code goes, then issues tokens and records the use', async () => {
    const client = await registered();
    const request = { client_id: client.client_id, redirect_uri: LOOPBACK, scope: 'openid offline_access read:items', audience: 'https://api.example.com' };
    const pending = await startLogin(request);
    const login = await submitLogin(pending, {}, { 'CF-Connecting-IP': freshIp() });
    expect(login.status).toBe(303);
    expect(login.headers.get('Location')).toBe('/consent');
    const cookie = cookieFrom(login, LOGIN_COOKIE);
    const session = cookieFrom(login, SESSION_COOKIE);

    const page = await call('/consent', { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>Allow Example MCP Client?</h1>');
    expect(html).toContain('This app registered itself: its name is not verified.');
    expect(html).toContain('<strong>127.0.0.1:49200 (an app on this device)</strong>');

    const allowed = await call('/consent', form({ request_id: pending.requestId, decision: 'allow' }, { headers: { Cookie: cookie } }));
    expect(allowed.status).toBe(303);
    const back = new URL(allowed.headers.get('Location')!);
    expect(`${back.origin}${back.pathname}`).toBe(LOOPBACK);
    expect(back.searchParams.get('iss')).toBe(ISSUER);

    const tokenRequest = (body: Record<string, string>) => callWith({}, '/oauth/token', form({ client_id: client.client_id, ...body }));
    const tokens = await expectTokenResponse(
      await tokenRequest({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: LOOPBACK, code_verifier: pending.verifier }),
    );
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const claims = JSON.parse(atob(tokens.access_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: 'https://api.example.com', client_id: client.client_id, scope: 'openid offline_access read:items' });

    // The use is recorded (after the response), once a day: a refresh an hour later writes nothing.
    const firstUse = Number((await storedClient(client.client_id))!.last_used_at);
    expect(Math.abs(firstUse - Date.now())).toBeLessThan(60_000);
    await env.DB.prepare('UPDATE clients SET last_used_at = ? WHERE id = ?').bind(firstUse - 3_600_000, client.client_id).run();
    clearRegistryCache();
    const refreshed = await expectTokenResponse(await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }));
    expect(refreshed.access_token).toEqual(expect.any(String));
    expect(Number((await storedClient(client.client_id))!.last_used_at)).toBe(firstUse - 3_600_000);

    // Never silent single sign-on, not even at its https redirect: the one-tap page first, which says where the code goes.
    for (const [redirect, shown] of [
      [LOOPBACK, '127.0.0.1:49200 (an app on this device)'],
      ['https://mcp-client.example.com/callback', 'mcp-client.example.com'],
    ] as const) {
      const { response } = await authorizeWith(session, { ...request, redirect_uri: redirect });
      expectLoginRedirect(response);
      const onePage = await call('/login', { headers: { Cookie: `${cookieFrom(response)}; ${session}` } });
      const text = await onePage.text();
      expect(text).toContain('Continue as demo@example.com');
      expect(text).toContain(`This app registered itself: its name is not verified. Allow only if you started this from the app you expect. You will be sent back to <strong>${shown}</strong>.`);
    }
  });
});
