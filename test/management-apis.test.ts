import { describe, expect, it } from 'vitest';
import { call } from './helpers/http';
import { unique } from './helpers/values';
import { expectOAuthError, expectTokenResponse } from './helpers/assertions';
import { clientCredentials, createMachineClient, expectApiError, expectInvalidFields, listAll, management, MANAGEMENT_AUDIENCE, MANAGEMENT_SCOPES, ok, type Page } from './helpers/management';

interface ApiJson {
  id: string;
  identifier: string;
  name: string;
  scopes: string[];
  access_token_ttl_seconds: number | null;
  signing_alg: 'ES256' | 'RS256';
  created_at: string;
  updated_at: string;
}

const identifier = () => `https://api-${unique()}.example.com`;

async function createApi(fields: Record<string, unknown> = {}): Promise<ApiJson> {
  return ok<ApiJson>(await management('POST', '/apis', { identifier: identifier(), name: `API ${unique()}`, ...fields }), 201);
}

describe('POST /api/v1/apis', () => {
  it('creates an API with defaults (201)', async () => {
    const id = identifier();
    const api = await ok<ApiJson>(await management('POST', '/apis', { identifier: id, name: 'Orders' }), 201);
    expect(Object.keys(api).sort()).toEqual(['access_token_ttl_seconds', 'created_at', 'id', 'identifier', 'name', 'scope_descriptions', 'scopes', 'signing_alg', 'updated_at']);
    expect(api).toMatchObject({ identifier: id, name: 'Orders', scopes: [], scope_descriptions: {}, access_token_ttl_seconds: null, signing_alg: 'ES256' });
    expect(await ok(await management('GET', `/apis/${api.id}`))).toEqual(api);
  });

  it('takes scopes, a lifetime and RS256; its scopes are advertised at once', async () => {
    const scope = `read:orders-${unique()}`;
    const api = await createApi({ scopes: [scope, 'write:orders'], access_token_ttl_seconds: 300, signing_alg: 'RS256' });
    expect(api).toMatchObject({ scopes: [scope, 'write:orders'], access_token_ttl_seconds: 300, signing_alg: 'RS256' });
    const metadata = (await (await call('/.well-known/oauth-authorization-server')).json()) as { scopes_supported: string[] };
    expect(metadata.scopes_supported).toContain(scope);
  });

  it('refuses an identifier that exists with 409, whatever the other fields', async () => {
    const api = await createApi();
    await expectApiError(await management('POST', '/apis', { identifier: api.identifier, name: 'Again' }), 409, 'conflict');
    await expectApiError(await management('POST', '/apis', { identifier: 'https://api.example.com', name: 'Seed' }), 409, 'conflict');
    await expectApiError(await management('POST', '/apis', { identifier: MANAGEMENT_AUDIENCE, name: 'Mine now' }), 409, 'conflict');
  });

  it('lets exactly one of concurrent creations with one identifier win; the others get 409', async () => {
    const id = identifier();
    const responses = await Promise.all([1, 2, 3, 4].map((n) => management('POST', '/apis', { identifier: id, name: `Race ${n}` })));
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const all = await listAll<ApiJson>('/apis');
    expect(all.filter((a) => a.identifier === id)).toHaveLength(1);
  });

  it.each([
    ['no identifier', { name: 'x' }, ['identifier']],
    ['a relative identifier', { identifier: 'orders', name: 'x' }, ['identifier']],
    ['no name', { identifier: 'https://x.example.com' }, ['name']],
    ['an unknown algorithm', { identifier: 'https://x.example.com', name: 'x', signing_alg: 'HS256' }, ['signing_alg']],
    ['a repeated scope', { identifier: 'https://x.example.com', name: 'x', scopes: ['a:b', 'a:b'] }, ['scopes']],
    ['a scope with a quote', { identifier: 'https://x.example.com', name: 'x', scopes: ['ok', 'bad"scope'] }, ['scopes.1']],
    ['a lifetime over a day', { identifier: 'https://x.example.com', name: 'x', access_token_ttl_seconds: 86_401 }, ['access_token_ttl_seconds']],
    ['an unknown field', { identifier: 'https://x.example.com', name: 'x', audience: 'y' }, ['audience']],
    ['two problems at once', { identifier: 42, name: '' }, ['identifier', 'name']],
  ])('refuses %s with 400 and the field paths', async (_name, body, paths) => {
    await expectInvalidFields(await management('POST', '/apis', body), paths);
  });

  it.each([
    ['malformed JSON', '{', {}],
    ['null', 'null', {}],
    ['text/plain', '{"identifier":"https://x.example.com","name":"x"}', { 'Content-Type': 'text/plain' }],
    ['an oversized body', JSON.stringify({ identifier: 'https://x.example.com', name: 'x'.repeat(20_000) }), {}],
  ])('answers %s with a 4xx, never a 5xx', async (_name, body, headers) => {
    const response = await management('POST', '/apis', body, undefined, headers);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('GET /api/v1/apis', () => {
  it('lists the seed, the built-in Management API and new APIs, page by page', async () => {
    const created = await createApi();
    const first = await ok<Page<ApiJson>>(await management('GET', '/apis?per_page=1'));
    expect(first).toMatchObject({ page: 0, per_page: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.total).toBeGreaterThanOrEqual(3);
    const all = await listAll<ApiJson>('/apis', 1);
    expect(all).toHaveLength(first.total);
    expect(all.map((a) => a.identifier)).toEqual(expect.arrayContaining(['https://api.example.com', MANAGEMENT_AUDIENCE, created.identifier]));
    const builtIn = all.find((a) => a.identifier === MANAGEMENT_AUDIENCE)!;
    expect(builtIn).toMatchObject({ id: 'api_management', scopes: [...MANAGEMENT_SCOPES], access_token_ttl_seconds: 900 });
  });

  it.each(['page=x', 'per_page=-5', 'per_page=1e3'])('refuses ?%s with 400', async (query) => {
    const body = await expectApiError(await management('GET', `/apis?${query}`), 400, 'invalid_body');
    expect(body.fields).toHaveLength(1);
  });
});

describe('GET, PATCH and DELETE /api/v1/apis/:id', () => {
  it('answers 404 for an unknown API', async () => {
    await expectApiError(await management('GET', '/apis/no-such-api'), 404, 'not_found');
    await expectApiError(await management('PATCH', '/apis/no-such-api', { name: 'x' }), 404, 'not_found');
    await expectApiError(await management('DELETE', '/apis/no-such-api'), 404, 'not_found');
  });

  it('changes only the fields sent, and the change is used for the next token', async () => {
    const api = await createApi({ scopes: ['a:read'], access_token_ttl_seconds: 600 });
    const machine = await createMachineClient(api.identifier, ['a:read']);
    expect((await expectTokenResponse(await clientCredentials({}, machine.basic))).expires_in).toBe(600);
    const patched = await ok<ApiJson>(await management('PATCH', `/apis/${api.id}`, { name: 'Renamed', scopes: ['a:read', 'a:write'], access_token_ttl_seconds: 120 }));
    expect(patched).toMatchObject({ ...api, name: 'Renamed', scopes: ['a:read', 'a:write'], access_token_ttl_seconds: 120, updated_at: expect.any(String) });
    expect(await ok(await management('GET', `/apis/${api.id}`))).toEqual(patched);
    // The registry cache is cleared on change: the new lifetime applies at once.
    expect((await expectTokenResponse(await clientCredentials({}, machine.basic))).expires_in).toBe(120);
    const cleared = await ok<ApiJson>(await management('PATCH', `/apis/${api.id}`, { access_token_ttl_seconds: null }));
    expect(cleared).toMatchObject({ name: 'Renamed', access_token_ttl_seconds: null, signing_alg: 'ES256' });
  });

  it.each([
    ['the identifier, which cannot change', { identifier: 'https://other.example.com' }, ['identifier']],
    ['an unknown field', { owner: 'me' }, ['owner']],
    ['a repeated scope', { scopes: ['x', 'x'] }, ['scopes']],
    ['an empty name', { name: ' ' }, ['name']],
    ['an unknown algorithm', { signing_alg: 'none' }, ['signing_alg']],
  ])('refuses %s with 400 and changes nothing', async (_name, body, paths) => {
    const api = await createApi({ scopes: ['keep:me'] });
    await expectInvalidFields(await management('PATCH', `/apis/${api.id}`, body), paths);
    expect(await ok(await management('GET', `/apis/${api.id}`))).toEqual(api);
  });

  it('refuses to change or delete the built-in Management API (403), which keeps working', async () => {
    const before = await ok<ApiJson>(await management('GET', '/apis/api_management'));
    expect(before.identifier).toBe(MANAGEMENT_AUDIENCE);
    const patch = await expectApiError(await management('PATCH', '/apis/api_management', { scopes: [] }), 403, 'forbidden');
    expect(patch.error_description).toMatch(/Management API/);
    await expectApiError(await management('PATCH', '/apis/api_management', { name: 'Mine' }), 403, 'forbidden');
    await expectApiError(await management('DELETE', '/apis/api_management'), 403, 'forbidden');
    expect(await ok(await management('GET', '/apis/api_management'))).toEqual(before);
    expect((await expectTokenResponse(await clientCredentials())).scope).toBe(MANAGEMENT_SCOPES.join(' '));
  });

  it('deletes an API (204, then 404); its client grants go with it and its tokens stop being issued', async () => {
    const api = await createApi({ scopes: ['gone:soon'] });
    const machine = await createMachineClient(api.identifier, ['gone:soon']);
    await expectTokenResponse(await clientCredentials({}, machine.basic));
    const response = await management('DELETE', `/apis/${api.id}`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    await expectApiError(await management('GET', `/apis/${api.id}`), 404, 'not_found');
    await expectApiError(await management('DELETE', `/apis/${api.id}`), 404, 'not_found');
    await expectApiError(await management('GET', `/client-grants/${machine.grantId}`), 404, 'not_found');
    await expectOAuthError(await clientCredentials({ audience: api.identifier }, machine.basic), 400, 'unauthorized_client');
    // The identifier is free again.
    await ok(await management('POST', '/apis', { identifier: api.identifier, name: 'Reborn' }), 201);
  });
});
