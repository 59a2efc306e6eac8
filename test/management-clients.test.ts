import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Base64url } from '../src/crypto/hash';
import { basic } from './helpers/http';
import { expectOAuthError, expectTokenResponse } from './helpers/assertions';
import { clientCredentials, type ClientJson, createClient, createMachineClient, expectApiError, expectInvalidFields, listAll, management, ok, type Page } from './helpers/management';
import { unique } from './helpers/values';

const CLIENT_KEYS = [
  'access_token_ttl_seconds',
  'allow_signup',
  'android_packages',
  'audiences',
  'connections',
  'created_at',
  'default_locale',
  'dpop_bound_access_tokens',
  'grant_types',
  'id',
  'ios_app_ids',
  'jwks',
  'jwks_uri',
  'last_used_at',
  'logo_uri',
  'name',
  'post_logout_redirect_uris',
  'primary_color',
  'redirect_uris',
  'refresh_token_absolute_ttl_seconds',
  'refresh_token_idle_ttl_seconds',
  'refresh_token_reuse_leeway_seconds',
  'registration',
  'require_consent',
  'require_mfa',
  'require_pushed_authorization_requests',
  'require_verified_email',
  'scopes',
  'sso_confirmation',
  'token_endpoint_auth_method',
  'type',
  'updated_at',
];

/** A public app that can sign users in: the body each refusal below changes in one way. */
const APP = { name: 'x', type: 'public', redirect_uris: ['com.example.app:/callback'], scopes: ['openid', 'read:items'], audiences: ['https://api.example.com'] };

describe('POST /api/v1/clients', () => {
  it('creates a public client with defaults and no secret (201)', async () => {
    const response = await management('POST', '/clients', {
      name: '  iOS App  ',
      type: 'public',
      redirect_uris: ['com.example.ios:/callback', 'http://127.0.0.1/callback'],
      scopes: ['openid', 'read:items'],
      audiences: ['https://api.example.com'],
    });
    const client = await ok<ClientJson>(response, 201);
    expect(Object.keys(client).sort()).toEqual(CLIENT_KEYS);
    expect(client).toMatchObject({
      name: 'iOS App',
      type: 'public',
      redirect_uris: ['com.example.ios:/callback', 'http://127.0.0.1/callback'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'read:items'],
      audiences: ['https://api.example.com'],
      access_token_ttl_seconds: null,
      refresh_token_absolute_ttl_seconds: 30 * 86_400,
      refresh_token_idle_ttl_seconds: 14 * 86_400,
      refresh_token_reuse_leeway_seconds: 0,
      require_consent: false,
      require_pushed_authorization_requests: false,
      sso_confirmation: 'unverified_redirects',
      dpop_bound_access_tokens: false,
      allow_signup: false,
      require_verified_email: false,
      default_locale: null,
      require_mfa: false,
      logo_uri: null,
      primary_color: null,
      registration: 'management',
      last_used_at: null,
      token_endpoint_auth_method: null,
      jwks: null,
      jwks_uri: null,
    });
    expect(client.id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(new Date(client.created_at).toISOString()).toBe(client.created_at);
  });

  it('shows a confidential secret once, stores only its SHA-256, and the secret works at the token endpoint', async () => {
    const created = await createClient({ type: 'confidential', grant_types: ['client_credentials'] });
    const secret = created.client_secret!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await env.DB.prepare('SELECT secret_hash FROM clients WHERE id = ?').bind(created.id).first<{ secret_hash: string }>();
    expect(row!.secret_hash).toBe(await sha256Base64url(secret));

    const read = await management('GET', `/clients/${created.id}`);
    const listed = await listAll<ClientJson>('/clients');
    for (const text of [await read.text(), JSON.stringify(listed)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(row!.secret_hash);
      expect(text).not.toMatch(/client_secret|secret_hash/);
    }
    expect(listed.filter((c) => c.id === created.id)).toHaveLength(1);

    await ok(await management('POST', '/client-grants', { client_id: created.id, audience: 'https://api.example.com', scopes: ['read:items'] }), 201);
    expect((await expectTokenResponse(await clientCredentials({}, basic(created.id, secret)))).scope).toBe('read:items');
  });

  it.each([
    ['no name', { name: undefined }, ['name']],
    ['an empty name', { name: '   ' }, ['name']],
    ['no type', { type: undefined }, ['type']],
    ['an unknown type', { type: 'spa' }, ['type']],
    ['an unknown field', { secret: 'mine' }, ['secret']],
    ['an unknown grant type', { grant_types: ['password'] }, ['grant_types.0']],
    ['client_credentials for a public client', { grant_types: ['authorization_code', 'client_credentials'] }, ['grant_types']],
    ['an audience no API has', { audiences: ['https://api.example.com', 'https://nope.example.com'] }, ['audiences.1']],
    ['a repeated scope', { scopes: ['openid', 'openid'] }, ['scopes']],
    ['a scope with a space', { scopes: ['read items'] }, ['scopes.0']],
    ['a too short access token lifetime', { access_token_ttl_seconds: 10 }, ['access_token_ttl_seconds']],
    ['a fractional leeway', { refresh_token_reuse_leeway_seconds: 1.5 }, ['refresh_token_reuse_leeway_seconds']],
    ['an http logo', { logo_uri: 'http://cdn.example.com/logo.png' }, ['logo_uri']],
    ['a colour name', { primary_color: 'blue' }, ['primary_color']],
    ['require_consent as a string', { require_consent: 'yes' }, ['require_consent']],
    ['an unknown sso_confirmation', { sso_confirmation: 'sometimes' }, ['sso_confirmation']],
    ['require_pushed_authorization_requests as a string', { require_pushed_authorization_requests: 'true' }, ['require_pushed_authorization_requests']],
    ['dpop_bound_access_tokens as a string', { dpop_bound_access_tokens: 'true' }, ['dpop_bound_access_tokens']],
    ['a string where a list belongs', { redirect_uris: 'com.example.app:/cb' }, ['redirect_uris']],
  ])('refuses %s with 400 and the field path', async (_name, change, paths) => {
    await expectInvalidFields(await management('POST', '/clients', { ...APP, ...change }), paths);
  });

  it.each([
    ['localhost', 'http://localhost:8080/callback', /localhost/],
    ['plain http to a public host', 'http://app.example.com/callback', /loopback/],
    ['a wildcard', 'https://*.example.com/callback', /wildcard/],
    ['a fragment', 'com.example.app:/callback#x', /fragment/],
    ['a private-use scheme that is not a reverse domain', 'myapp:/callback', /reverse domain/],
    ['a non-canonical https URI', 'https://example.com', /canonical/],
    ['an upper-case scheme', 'HTTPS://example.com/cb', /lower-case scheme/],
    ['user information', 'https://user:pass@example.com/cb', /user information/],
  ])('refuses a redirect URI with %s, naming redirect_uris.N and the reason', async (_name, uri, reason) => {
    const body = await expectInvalidFields(
      await management('POST', '/clients', { ...APP, redirect_uris: ['com.example.good:/cb', uri] }),
      ['redirect_uris.1'],
    );
    expect(body.fields![0]!.message).toMatch(reason);
  });

  it('applies the same rules to post-logout redirect URIs', async () => {
    const body = await expectInvalidFields(
      await management('POST', '/clients', { ...APP, post_logout_redirect_uris: ['http://localhost/bye'] }),
      ['post_logout_redirect_uris.0'],
    );
    expect(body.fields![0]!.message).toMatch(/127\.0\.0\.1/);
  });

  it.each([
    ['malformed JSON', '{"name": "x",', {}],
    ['a JSON array', '[]', {}],
    ['a JSON string', '"client"', {}],
    ['a form body', 'name=x&type=public', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['no content type', '{"name":"x","type":"public"}', { 'Content-Type': '' }],
    ['an oversized body', JSON.stringify({ name: 'x', type: 'public', scopes: Array.from({ length: 2000 }, (_, i) => `scope:${i}`) }), {}],
  ])('answers %s with a 4xx, never a 5xx', async (_name, body, headers) => {
    const response = await management('POST', '/clients', body, undefined, headers);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(((await response.json()) as { error: string }).error).toMatch(/^invalid_/);
  });
});

/** A new API defining `scopes`. */
async function createApi(scopes: string[]): Promise<{ id: string; identifier: string }> {
  const identifier = `https://stock-${unique()}.example.com`;
  return ok(await management('POST', '/apis', { identifier, name: 'Stock', scopes }), 201);
}

describe('clients that could not work are refused (issue 18)', () => {
  it.each([
    ['no redirect URI', { redirect_uris: [] }, 'redirect_uris', /at least one redirect URI.*com\.example\.app:\/callback/],
    ['no audience', { audiences: [], scopes: ['openid'] }, 'audiences', /at least one audience/],
    ['no scope', { scopes: [] }, 'scopes', /at least one scope: openid for an ID token/],
    ['refresh_token without authorization_code', { grant_types: ['refresh_token'] }, 'grant_types', /refresh_token needs authorization_code/],
  ])('refuses an app with %s, naming the field and the fix', async (_name, change, path, message) => {
    const body = await expectInvalidFields(await management('POST', '/clients', { ...APP, ...change }), [path]);
    expect(body.fields![0]!.message).toMatch(message);
  });

  it('reports every problem at once: the bare `--name X --type public` of the issue', async () => {
    const body = await expectInvalidFields(await management('POST', '/clients', { name: 'X', type: 'public' }), ['redirect_uris', 'audiences', 'scopes']);
    expect(body.error_description).toBe('The request body is not valid.');
  });

  it('refuses a scope that neither its APIs nor OpenID Connect define, naming it and the APIs checked', async () => {
    const body = await expectInvalidFields(
      await management('POST', '/clients', { ...APP, scopes: ['openid', 'read:items', 'read:itemz'] }),
      ['scopes.2'],
    );
    expect(body.fields![0]!.message).toBe(
      'read:itemz is defined by none of the client\'s APIs (https://api.example.com) and is not an OpenID Connect scope ' +
        "or edge-auth's own (openid, profile, email, offline_access, delete:account): define it on the API first, or correct it",
    );
    // A scope of an API the client has no audience for is just as unknown to it.
    const { identifier: other } = await createApi(['read:stock']);
    await expectInvalidFields(await management('POST', '/clients', { ...APP, scopes: ['read:stock'] }), ['scopes.0']);
    const both = await createClient({ scopes: ['openid', 'read:items', 'read:stock'], audiences: ['https://api.example.com', other] });
    expect(both.scopes).toEqual(['openid', 'read:items', 'read:stock']);
  });

  it('says so when a client has no audience to define a scope', async () => {
    const body = await expectInvalidFields(
      await management('POST', '/clients', { name: 'Job', type: 'confidential', grant_types: ['client_credentials'], scopes: ['read:items'] }),
      ['scopes.0'],
    );
    expect(body.fields![0]!.message).toMatch(/^read:items is not an OpenID Connect scope or edge-auth's own .* no audience whose API could define it: add the API's identifier to audiences$/);
  });

  it('accepts the OpenID Connect scopes for any app, and asks nothing of a machine client', async () => {
    const app = await createClient({ scopes: ['openid', 'profile', 'email', 'offline_access'] });
    expect(app.scopes).toEqual(['openid', 'profile', 'email', 'offline_access']);
    const machine = await createClient({ type: 'confidential', grant_types: ['client_credentials'] });
    expect(machine).toMatchObject({ redirect_uris: [], scopes: [], audiences: [] });
  });

  it('checks an update against the client it would leave: scopes against the audiences sent with them', async () => {
    const app = await createClient({ scopes: ['openid', 'read:items'] });
    const { identifier: stock } = await createApi(['read:stock']);
    // Moving to another API and its scopes in one update is fine, in either order of the fields.
    const moved = await ok<ClientJson>(await management('PATCH', `/clients/${app.id}`, { scopes: ['openid', 'read:stock'], audiences: [stock] }));
    expect(moved).toMatchObject({ scopes: ['openid', 'read:stock'], audiences: [stock] });
    // Moving back without the scopes would leave one that no API of the client defines.
    const refused = await expectInvalidFields(await management('PATCH', `/clients/${app.id}`, { audiences: ['https://api.example.com'] }), ['scopes.1']);
    expect(refused.fields![0]!.message).toMatch(/^read:stock is defined by none of the client's APIs \(https:\/\/api\.example\.com\)/);
    await expectInvalidFields(await management('PATCH', `/clients/${app.id}`, { scopes: ['openid', 'read:items'] }), ['scopes.1']);
    await expectInvalidFields(await management('PATCH', `/clients/${app.id}`, { redirect_uris: [] }), ['redirect_uris']);
    await expectInvalidFields(await management('PATCH', `/clients/${app.id}`, { grant_types: ['refresh_token'] }), ['grant_types']);
    expect(await ok(await management('GET', `/clients/${app.id}`))).toEqual(moved);
  });

  it('does not refuse an unrelated update because an API has dropped a scope since', async () => {
    const api = await createApi(['read:stock', 'write:stock']);
    const app = await createClient({ scopes: ['openid', 'write:stock'], audiences: [api.identifier] });
    await ok(await management('PATCH', `/apis/${api.id}`, { scopes: ['read:stock'] }));
    expect(await ok<ClientJson>(await management('PATCH', `/clients/${app.id}`, { name: 'Renamed' }))).toMatchObject({ name: 'Renamed', scopes: ['openid', 'write:stock'] });
    // Setting the scopes again checks them all.
    await expectInvalidFields(await management('PATCH', `/clients/${app.id}`, { scopes: ['openid', 'write:stock'] }), ['scopes.1']);
  });
});

describe('GET /api/v1/clients', () => {
  it('pages with page and per_page, and reports the total', async () => {
    const created = [await createClient(), await createClient(), await createClient()];
    const first = await ok<Page<ClientJson>>(await management('GET', '/clients?per_page=2'));
    expect(first).toMatchObject({ page: 0, per_page: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.total).toBeGreaterThanOrEqual(7);
    const second = await ok<Page<ClientJson>>(await management('GET', '/clients?per_page=2&page=1'));
    expect(second.page).toBe(1);
    expect(second.items.map((c) => c.id)).not.toContain(first.items[0]!.id);
    const beyond = await ok<Page<ClientJson>>(await management('GET', `/clients?per_page=100&page=1000`));
    expect(beyond.items).toEqual([]);
    const all = await listAll<ClientJson>('/clients', 2);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    for (const client of created) expect(all.map((c) => c.id)).toContain(client.id);
    expect(all.map((c) => c.id)).toEqual(expect.arrayContaining(['demo-app', 'other-app', 'demo-api', 'dev-admin']));
  });

  it.each([
    ['page=-1', ['page']],
    ['page=abc', ['page']],
    ['page=1.5', ['page']],
    ['per_page=0', ['per_page']],
    ['per_page=101', ['per_page']],
    ['page=-1&per_page=1000', ['page', 'per_page']],
  ])('refuses ?%s with 400 naming the parameter', async (query, paths) => {
    await expectInvalidFields(await management('GET', `/clients?${query}`), paths);
  });
});

describe('GET, PATCH and DELETE /api/v1/clients/:id', () => {
  it('reads a client, and answers 404 for an unknown one', async () => {
    const created = await createClient();
    const { client_secret: _none, ...expected } = created;
    expect(await ok(await management('GET', `/clients/${created.id}`))).toEqual(expected);
    await expectApiError(await management('GET', '/clients/no-such-client'), 404, 'not_found');
    await expectApiError(await management('PATCH', '/clients/no-such-client', { name: 'x' }), 404, 'not_found');
    await expectApiError(await management('DELETE', '/clients/no-such-client'), 404, 'not_found');
  });

  it('changes only the fields sent', async () => {
    const created = await createClient({ redirect_uris: ['com.example.patch:/cb'], scopes: ['openid'] });
    const patched = await ok<ClientJson>(await management('PATCH', `/clients/${created.id}`, { name: 'Renamed', refresh_token_reuse_leeway_seconds: 30 }));
    expect(patched).toMatchObject({ ...created, name: 'Renamed', refresh_token_reuse_leeway_seconds: 30, updated_at: expect.any(String) });
    expect(Date.parse(patched.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at));
    expect(await ok(await management('GET', `/clients/${created.id}`))).toEqual(patched);
    const unchanged = await ok<ClientJson>(await management('PATCH', `/clients/${created.id}`, {}));
    expect({ ...unchanged, updated_at: '' }).toEqual({ ...patched, updated_at: '' });
    const branded = await ok<ClientJson>(
      await management('PATCH', `/clients/${created.id}`, {
        logo_uri: 'https://cdn.example.com/logo.png', primary_color: '#1a73e8', require_consent: true, sso_confirmation: 'always', require_pushed_authorization_requests: true,
        dpop_bound_access_tokens: true, allow_signup: true, require_verified_email: true,
      }),
    );
    expect(branded).toMatchObject({
      name: 'Renamed', logo_uri: 'https://cdn.example.com/logo.png', primary_color: '#1a73e8', require_consent: true, sso_confirmation: 'always', require_pushed_authorization_requests: true,
      dpop_bound_access_tokens: true, allow_signup: true, require_verified_email: true,
    });
    expect(await ok<ClientJson>(await management('PATCH', `/clients/${created.id}`, { logo_uri: null }))).toMatchObject({ logo_uri: null, primary_color: '#1a73e8' });
    const cleared = await ok<ClientJson>(await management('PATCH', `/clients/${created.id}`, { access_token_ttl_seconds: 600 }));
    expect(cleared.access_token_ttl_seconds).toBe(600);
    expect((await ok<ClientJson>(await management('PATCH', `/clients/${created.id}`, { access_token_ttl_seconds: null }))).access_token_ttl_seconds).toBeNull();
  });

  it.each([
    ['an unknown field', { colour: 'blue' }, ['colour']],
    ['the type, which cannot change', { type: 'confidential' }, ['type']],
    ['client_credentials for a public client', { grant_types: ['client_credentials'] }, ['grant_types']],
    ['an audience no API has', { audiences: ['https://nope.example.com'] }, ['audiences.0']],
    ['localhost among the redirect URIs', { redirect_uris: ['com.example.ok:/cb', 'com.example.ok2:/cb', 'http://localhost/cb'] }, ['redirect_uris.2']],
    ['an empty name', { name: '' }, ['name']],
  ])('refuses %s with 400 and changes nothing', async (_name, body, paths) => {
    const created = await createClient({ redirect_uris: ['com.example.keep:/cb'] });
    const refused = await expectInvalidFields(await management('PATCH', `/clients/${created.id}`, body), paths);
    if (paths[0]!.startsWith('redirect_uris')) expect(refused.fields![0]!.message).toMatch(/localhost/);
    const { client_secret: _none, ...expected } = created;
    expect(await ok(await management('GET', `/clients/${created.id}`))).toEqual(expected);
  });

  it('deletes a client (204, then 404), and its secret stops working at once', async () => {
    const machine = await createMachineClient();
    await expectTokenResponse(await clientCredentials({}, machine.basic));
    const response = await management('DELETE', `/clients/${machine.id}`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    await expectApiError(await management('GET', `/clients/${machine.id}`), 404, 'not_found');
    await expectApiError(await management('DELETE', `/clients/${machine.id}`), 404, 'not_found');
    await expectOAuthError(await clientCredentials({}, machine.basic), 401, 'invalid_client');
  });
});

describe('POST /api/v1/clients/:id/rotate-secret', () => {
  it('returns a new secret once; the old one stops working and the new one works', async () => {
    const machine = await createMachineClient();
    await expectTokenResponse(await clientCredentials({}, machine.basic));
    const rotated = await ok<ClientJson>(await management('POST', `/clients/${machine.id}/rotate-secret`));
    expect(rotated.id).toBe(machine.id);
    expect(rotated.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.client_secret).not.toBe(machine.secret);
    const row = await env.DB.prepare('SELECT secret_hash FROM clients WHERE id = ?').bind(machine.id).first<{ secret_hash: string }>();
    expect(row!.secret_hash).toBe(await sha256Base64url(rotated.client_secret!));

    const old = await clientCredentials({}, machine.basic);
    await expectOAuthError(old, 401, 'invalid_client');
    expect((await expectTokenResponse(await clientCredentials({}, basic(machine.id, rotated.client_secret!)))).scope).toBe('read:items');
    expect(await (await management('GET', `/clients/${machine.id}`)).text()).not.toContain(rotated.client_secret!);
  });

  it('refuses a public client (409) and an unknown one (404)', async () => {
    const created = await createClient();
    await expectApiError(await management('POST', `/clients/${created.id}/rotate-secret`), 409, 'conflict');
    await expectApiError(await management('POST', '/clients/no-such-client/rotate-secret'), 404, 'not_found');
  });

  // Regression: the responses that carry a client secret (create, rotate-secret) were sent without
  // `Cache-Control: no-store`, unlike token responses (RFC 6749 section 5.1).
  it('sends a secret only with Cache-Control: no-store', async () => {
    const created = await management('POST', '/clients', { name: 'Cached?', type: 'confidential', grant_types: ['client_credentials'] });
    expect(created.status).toBe(201);
    expect(created.headers.get('Cache-Control')).toBe('no-store');
    const { id } = (await created.json()) as ClientJson;
    const rotated = await management('POST', `/clients/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('Cache-Control')).toBe('no-store');
  });
});
