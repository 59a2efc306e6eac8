import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Base64url } from '../src/crypto/hash';
import { basic } from './helpers/http';
import { expectOAuthError, expectTokenResponse } from './helpers/assertions';
import { clientCredentials, type ClientJson, createClient, createMachineClient, expectApiError, expectInvalidFields, listAll, management, ok, type Page } from './helpers/management';

const CLIENT_KEYS = [
  'access_token_ttl_seconds',
  'audiences',
  'created_at',
  'grant_types',
  'id',
  'logo_uri',
  'name',
  'post_logout_redirect_uris',
  'primary_color',
  'redirect_uris',
  'refresh_token_absolute_ttl_seconds',
  'refresh_token_idle_ttl_seconds',
  'refresh_token_reuse_leeway_seconds',
  'require_consent',
  'scopes',
  'sso_confirmation',
  'type',
  'updated_at',
];

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
      sso_confirmation: 'unverified_redirects',
      logo_uri: null,
      primary_color: null,
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
    ['no name', { type: 'public' }, ['name']],
    ['an empty name', { name: '   ', type: 'public' }, ['name']],
    ['no type', { name: 'x' }, ['type']],
    ['an unknown type', { name: 'x', type: 'spa' }, ['type']],
    ['an unknown field', { name: 'x', type: 'public', secret: 'mine' }, ['secret']],
    ['an unknown grant type', { name: 'x', type: 'public', grant_types: ['password'] }, ['grant_types.0']],
    ['client_credentials for a public client', { name: 'x', type: 'public', grant_types: ['client_credentials'] }, ['grant_types']],
    ['an audience no API has', { name: 'x', type: 'public', audiences: ['https://api.example.com', 'https://nope.example.com'] }, ['audiences.1']],
    ['a repeated scope', { name: 'x', type: 'public', scopes: ['read:items', 'read:items'] }, ['scopes']],
    ['a scope with a space', { name: 'x', type: 'public', scopes: ['read items'] }, ['scopes.0']],
    ['a too short access token lifetime', { name: 'x', type: 'public', access_token_ttl_seconds: 10 }, ['access_token_ttl_seconds']],
    ['a fractional leeway', { name: 'x', type: 'public', refresh_token_reuse_leeway_seconds: 1.5 }, ['refresh_token_reuse_leeway_seconds']],
    ['an http logo', { name: 'x', type: 'public', logo_uri: 'http://cdn.example.com/logo.png' }, ['logo_uri']],
    ['a colour name', { name: 'x', type: 'public', primary_color: 'blue' }, ['primary_color']],
    ['require_consent as a string', { name: 'x', type: 'public', require_consent: 'yes' }, ['require_consent']],
    ['an unknown sso_confirmation', { name: 'x', type: 'public', sso_confirmation: 'sometimes' }, ['sso_confirmation']],
    ['a string where a list belongs', { name: 'x', type: 'public', redirect_uris: 'com.example.app:/cb' }, ['redirect_uris']],
  ])('refuses %s with 400 and the field path', async (_name, body, paths) => {
    await expectInvalidFields(await management('POST', '/clients', body), paths);
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
      await management('POST', '/clients', { name: 'x', type: 'public', redirect_uris: ['com.example.good:/cb', uri] }),
      ['redirect_uris.1'],
    );
    expect(body.fields![0]!.message).toMatch(reason);
  });

  it('applies the same rules to post-logout redirect URIs', async () => {
    const body = await expectInvalidFields(
      await management('POST', '/clients', { name: 'x', type: 'public', post_logout_redirect_uris: ['http://localhost/bye'] }),
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
      await management('PATCH', `/clients/${created.id}`, { logo_uri: 'https://cdn.example.com/logo.png', primary_color: '#1a73e8', require_consent: true, sso_confirmation: 'always' }),
    );
    expect(branded).toMatchObject({ name: 'Renamed', logo_uri: 'https://cdn.example.com/logo.png', primary_color: '#1a73e8', require_consent: true, sso_confirmation: 'always' });
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
    const created = await management('POST', '/clients', { name: 'Cached?', type: 'confidential' });
    expect(created.status).toBe(201);
    expect(created.headers.get('Cache-Control')).toBe('no-store');
    const { id } = (await created.json()) as ClientJson;
    const rotated = await management('POST', `/clients/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('Cache-Control')).toBe('no-store');
  });
});
