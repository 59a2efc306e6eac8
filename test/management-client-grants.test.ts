import { beforeAll, describe, expect, it } from 'vitest';
import { basic } from './helpers/http';
import { unique } from './helpers/values';
import { expectOAuthError, expectTokenResponse } from './helpers/assertions';
import { clientCredentials, type ClientJson, createClient, expectApiError, expectInvalidFields, listAll, management, ok, type Page } from './helpers/management';

interface ClientGrantJson {
  id: string;
  client_id: string;
  audience: string;
  scopes: string[];
  created_at: string;
  updated_at: string;
}

/** An API of this file's own, so scope checks do not depend on the seed's. */
let audience: string;
/** A confidential client for refusals: nothing may be granted to it by them. */
let spare: ClientJson;
const API_SCOPES = ['read:stock', 'write:stock', 'admin:stock'];

beforeAll(async () => {
  audience = `https://stock-${unique()}.example.com`;
  await ok(await management('POST', '/apis', { identifier: audience, name: 'Stock', scopes: API_SCOPES }), 201);
  spare = await createClient({ type: 'confidential', grant_types: ['client_credentials'] });
});

const machineClient = () => createClient({ type: 'confidential', grant_types: ['client_credentials'] });

function createGrant(body: Record<string, unknown>): Promise<Response> {
  return management('POST', '/client-grants', body);
}

describe('POST /api/v1/client-grants', () => {
  it('grants a confidential client scopes of an API (201), and the client can then get a token', async () => {
    const client = await machineClient();
    const credentials = basic(client.id, client.client_secret!);
    // Before the grant, the client has nowhere to get a token for.
    await expectOAuthError(await clientCredentials({ audience }, credentials), 400, 'unauthorized_client');

    const grant = await ok<ClientGrantJson>(await createGrant({ client_id: client.id, audience, scopes: ['read:stock', 'write:stock'] }), 201);
    expect(Object.keys(grant).sort()).toEqual(['audience', 'client_id', 'created_at', 'id', 'scopes', 'updated_at']);
    expect(grant).toMatchObject({ client_id: client.id, audience, scopes: ['read:stock', 'write:stock'] });
    expect(await ok(await management('GET', `/client-grants/${grant.id}`))).toEqual(grant);

    const token = await expectTokenResponse(await clientCredentials({}, credentials));
    expect(token.scope).toBe('read:stock write:stock');
    expect((await expectTokenResponse(await clientCredentials({ scope: 'write:stock' }, credentials))).scope).toBe('write:stock');
    await expectOAuthError(await clientCredentials({ scope: 'admin:stock' }, credentials), 400, 'invalid_scope');
  });

  it('refuses a public client, with the path client_id', async () => {
    const client = await createClient({ type: 'public' });
    const body = await expectInvalidFields(await createGrant({ client_id: client.id, audience, scopes: ['read:stock'] }), ['client_id']);
    expect(body.fields![0]!.message).toMatch(/confidential/);
    await expectInvalidFields(await createGrant({ client_id: 'demo-app', audience, scopes: [] }), ['client_id']);
  });

  it('refuses scopes the API does not define, naming each by scopes.N', async () => {
    const client = await machineClient();
    const body = await expectInvalidFields(
      await createGrant({ client_id: client.id, audience, scopes: ['read:stock', 'read:items', 'write:stock', 'delete:everything'] }),
      ['scopes.1', 'scopes.3'],
    );
    for (const field of body.fields!) expect(field.message).toMatch(/does not define/);
  });

  it.each([
    ['an unknown client', () => ({ client_id: 'no-such-client', audience, scopes: [] }), ['client_id']],
    ['an unknown audience', () => ({ client_id: spare.id, audience: 'https://nope.example.com', scopes: [] }), ['audience']],
    ['no scopes list', () => ({ client_id: spare.id, audience }), ['scopes']],
    ['a repeated scope', () => ({ client_id: spare.id, audience, scopes: ['read:stock', 'read:stock'] }), ['scopes']],
    ['an unknown field', () => ({ client_id: spare.id, audience, scopes: [], expires: 1 }), ['expires']],
    ['an empty client_id', () => ({ client_id: '', audience, scopes: [] }), ['client_id']],
  ])('refuses %s with 400 and the field path', async (_name, body, paths) => {
    await expectInvalidFields(await createGrant(body()), paths);
  });

  it('refuses a second grant for the same client and API with 409', async () => {
    const client = await machineClient();
    await ok(await createGrant({ client_id: client.id, audience, scopes: ['read:stock'] }), 201);
    await expectApiError(await createGrant({ client_id: client.id, audience, scopes: ['write:stock'] }), 409, 'conflict');
    // The seed's grant of dev-admin for the Management API counts too.
    const seeded = await createGrant({ client_id: 'dev-admin', audience: 'urn:edge-auth:management-api', scopes: ['read:clients'] });
    await expectApiError(seeded, 409, 'conflict');
  });

  it('left nothing granted to the client the refusals named', async () => {
    expect(await ok(await management('GET', `/client-grants?client_id=${spare.id}`))).toMatchObject({ items: [], total: 0 });
  });

  it('lets exactly one of concurrent grants for one client and API win; the others get 409', async () => {
    const client = await machineClient();
    const responses = await Promise.all([1, 2, 3].map(() => createGrant({ client_id: client.id, audience, scopes: ['read:stock'] })));
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(await ok(await management('GET', `/client-grants?client_id=${client.id}`))).toMatchObject({ total: 1 });
  });

  it.each([
    ['malformed JSON', '{"client_id":'],
    ['an array', '[{}]'],
  ])('answers %s with a 4xx, never a 5xx', async (_name, body) => {
    const response = await createGrant(body as unknown as Record<string, unknown>);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('GET /api/v1/client-grants', () => {
  it('lists grants page by page, and filters by client_id', async () => {
    const clients: ClientJson[] = [await machineClient(), await machineClient()];
    const grants = [];
    for (const client of clients) grants.push(await ok<ClientGrantJson>(await createGrant({ client_id: client.id, audience, scopes: [] }), 201));

    const all = await listAll<ClientGrantJson>('/client-grants', 1);
    expect(all.map((g) => g.id)).toEqual(expect.arrayContaining([...grants.map((g) => g.id), 'cg_dev_admin']));
    expect(new Set(all.map((g) => g.id)).size).toBe(all.length);

    const filtered = await ok<Page<ClientGrantJson>>(await management('GET', `/client-grants?client_id=${clients[0]!.id}`));
    expect(filtered).toEqual({ items: [grants[0]], page: 0, per_page: 50, total: 1 });
    const none = await ok<Page<ClientGrantJson>>(await management('GET', '/client-grants?client_id=no-such-client'));
    expect(none).toMatchObject({ items: [], total: 0 });
  });

  it.each(['page=-1', 'per_page=500'])('refuses ?%s with 400', async (query) => {
    await expectInvalidFields(await management('GET', `/client-grants?${query}`), [query.split('=')[0]!]);
  });
});

describe('GET, PATCH and DELETE /api/v1/client-grants/:id', () => {
  it('answers 404 for an unknown grant', async () => {
    await expectApiError(await management('GET', '/client-grants/no-such-grant'), 404, 'not_found');
    await expectApiError(await management('PATCH', '/client-grants/no-such-grant', { scopes: [] }), 404, 'not_found');
    await expectApiError(await management('DELETE', '/client-grants/no-such-grant'), 404, 'not_found');
  });

  it('replaces the scopes, and the next token has the new ones', async () => {
    const client = await machineClient();
    const credentials = basic(client.id, client.client_secret!);
    const grant = await ok<ClientGrantJson>(await createGrant({ client_id: client.id, audience, scopes: ['read:stock'] }), 201);
    expect((await expectTokenResponse(await clientCredentials({}, credentials))).scope).toBe('read:stock');
    const patched = await ok<ClientGrantJson>(await management('PATCH', `/client-grants/${grant.id}`, { scopes: ['admin:stock'] }));
    expect(patched).toMatchObject({ id: grant.id, client_id: client.id, audience, scopes: ['admin:stock'] });
    expect((await expectTokenResponse(await clientCredentials({}, credentials))).scope).toBe('admin:stock');
    await expectOAuthError(await clientCredentials({ scope: 'read:stock' }, credentials), 400, 'invalid_scope');
  });

  it.each([
    ['a scope the API does not define', { scopes: ['admin:stock', 'root'] }, ['scopes.1']],
    ['a new audience, which cannot change', { scopes: [], audience: 'https://api.example.com' }, ['audience']],
    ['no scopes', {}, ['scopes']],
  ])('refuses %s with 400 and changes nothing', async (_name, body, paths) => {
    const client = await machineClient();
    const grant = await ok<ClientGrantJson>(await createGrant({ client_id: client.id, audience, scopes: ['read:stock'] }), 201);
    await expectInvalidFields(await management('PATCH', `/client-grants/${grant.id}`, body), paths);
    expect(await ok(await management('GET', `/client-grants/${grant.id}`))).toEqual(grant);
  });

  it('deletes a grant (204, then 404), and the client can no longer get tokens for that API', async () => {
    const client = await machineClient();
    const credentials = basic(client.id, client.client_secret!);
    const grant = await ok<ClientGrantJson>(await createGrant({ client_id: client.id, audience, scopes: ['read:stock'] }), 201);
    await expectTokenResponse(await clientCredentials({}, credentials));
    const response = await management('DELETE', `/client-grants/${grant.id}`);
    expect(response.status).toBe(204);
    await expectApiError(await management('GET', `/client-grants/${grant.id}`), 404, 'not_found');
    await expectOAuthError(await clientCredentials({ audience }, credentials), 400, 'unauthorized_client');
  });

  it('goes with its client when the client is deleted', async () => {
    const client = await machineClient();
    const grant = await ok<ClientGrantJson>(await createGrant({ client_id: client.id, audience, scopes: [] }), 201);
    expect((await management('DELETE', `/clients/${client.id}`)).status).toBe(204);
    await expectApiError(await management('GET', `/client-grants/${grant.id}`), 404, 'not_found');
  });

  // BUG: the grant handler (src/grants/client-credentials.ts) checks requested scopes only against
  // the client grant, never against the API's current scopes. PATCH /apis/:id that withdraws a scope
  // leaves old grants holding it, and tokens keep carrying a scope the API no longer defines.
  // Expected: the withdrawn scope is neither issued by default nor on request (invalid_scope);
  // actual: `scope` of the token still contains it.
  it('stops issuing a scope the API withdrew', async () => {
    const api = await ok<{ id: string; identifier: string }>(
      await management('POST', '/apis', { identifier: `https://shrinking-${unique()}.example.com`, name: 'Shrinking', scopes: ['keep', 'drop'] }),
      201,
    );
    const client = await machineClient();
    const credentials = basic(client.id, client.client_secret!);
    await ok(await createGrant({ client_id: client.id, audience: api.identifier, scopes: ['keep', 'drop'] }), 201);
    await ok(await management('PATCH', `/apis/${api.id}`, { scopes: ['keep'] }));
    expect((await expectTokenResponse(await clientCredentials({}, credentials))).scope).toBe('keep');
    await expectOAuthError(await clientCredentials({ scope: 'drop' }, credentials), 400, 'invalid_scope');
  });
});
