/**
 * Issue 12, finding 7: Management API scopes are privilege boundaries. A client could grant any
 * client (itself included) every Management API scope with create:client_grants or
 * update:client_grants, and take over another admin client with update:clients (rotate-secret
 * hands out the new secret). Now passing on Management API access needs grant:management_api, and
 * no caller passes on, changes or removes a scope its own token does not carry.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { expectBearerError, expectTokenResponse } from '../helpers/assertions';
import {
  clientCredentials,
  createClient,
  createMachineClient,
  expectApiError,
  management,
  MANAGEMENT_AUDIENCE,
  MANAGEMENT_SCOPES,
  managementToken,
  ok,
  scopesWithout,
} from '../helpers/management';

const GRANT_SCOPE = 'grant:management_api';

/** A machine client holding exactly `scopes` of the Management API, and a token carrying them all. */
async function operator(scopes: readonly string[]) {
  const client = await createMachineClient(MANAGEMENT_AUDIENCE, [...scopes]);
  const token = (await expectTokenResponse(await clientCredentials({ audience: MANAGEMENT_AUDIENCE }, client.basic))).access_token;
  return { ...client, token };
}

const grantFor = (clientId: string, scopes: readonly string[]) => ({ client_id: clientId, audience: MANAGEMENT_AUDIENCE, scopes });

describe('granting Management API scopes (issue 12, finding 7)', () => {
  it('needs grant:management_api: create:client_grants alone cannot give a client Management API access', async () => {
    const target = await createMachineClient('https://api.example.com', ['read:items']);
    const token = await managementToken(scopesWithout(GRANT_SCOPE));
    const description = await expectBearerError(await management('POST', '/client-grants', grantFor(target.id, ['read:users']), token), 403, 'insufficient_scope');
    expect(description).toContain(GRANT_SCOPE);
  });

  it('refuses a scope the caller does not hold, even with grant:management_api', async () => {
    const target = await createMachineClient('https://api.example.com', ['read:items']);
    const token = await managementToken(scopesWithout('read:audit'));
    const refused = await expectApiError(await management('POST', '/client-grants', grantFor(target.id, ['read:users', 'read:audit']), token), 403, 'forbidden');
    expect(refused.error_description).toContain('read:audit');
    expect(refused.error_description).not.toContain('read:users');
    // Only what the caller holds: granted.
    await ok(await management('POST', '/client-grants', grantFor(target.id, ['read:users']), token), 201);
  });

  it('a client with create and update:client_grants cannot raise its own grant', async () => {
    const self = await operator(['read:client_grants', 'update:client_grants', 'create:client_grants', GRANT_SCOPE]);
    const response = await management('PATCH', `/client-grants/${self.grantId}`, { scopes: [...MANAGEMENT_SCOPES] }, self.token);
    await expectApiError(response, 403, 'forbidden');
    const stored = await env.DB.prepare('SELECT scopes FROM client_grants WHERE id = ?').bind(self.grantId).first<{ scopes: string }>();
    expect(JSON.parse(stored!.scopes)).not.toContain('rotate:keys');
  });

  it('a client cannot change or delete a grant above its own, even to narrow it', async () => {
    const admin = await createMachineClient(MANAGEMENT_AUDIENCE, ['read:users', 'read:audit']);
    const self = await operator(['update:client_grants', 'delete:client_grants', 'read:users', GRANT_SCOPE]);
    await expectApiError(await management('PATCH', `/client-grants/${admin.grantId}`, { scopes: ['read:users'] }, self.token), 403, 'forbidden');
    await expectApiError(await management('DELETE', `/client-grants/${admin.grantId}`, undefined, self.token), 403, 'forbidden');
  });

  it('grants for other APIs need no grant:management_api', async () => {
    const target = await createMachineClient('https://api.example.com', ['read:items']);
    const other = await createClient({ type: 'confidential', grant_types: ['client_credentials'] });
    const token = await managementToken(['create:client_grants', 'update:client_grants']);
    await ok(await management('PATCH', `/client-grants/${target.grantId}`, { scopes: ['read:items', 'write:items'] }, token));
    await ok(await management('POST', '/client-grants', { client_id: other.id, audience: 'https://api.example.com', scopes: ['read:items'] }, token), 201);
  });

  it('a holder of every scope passes on Management API access, and the grantee gets exactly that', async () => {
    const self = await operator(['create:client_grants', 'read:users', GRANT_SCOPE]);
    const target = await createMachineClient('https://api.example.com', ['read:items']);
    await ok(await management('POST', '/client-grants', grantFor(target.id, ['read:users']), self.token), 201);
    const body = await expectTokenResponse(await clientCredentials({ audience: MANAGEMENT_AUDIENCE }, target.basic));
    expect(body.scope).toBe('read:users');
  });
});

describe('taking over a Management API client (issue 12, finding 7)', () => {
  it('update:clients cannot rotate the secret of an admin client and receive it', async () => {
    const admin = await createMachineClient(MANAGEMENT_AUDIENCE, ['read:users']);
    const self = await operator(['update:clients']);
    await expectBearerError(await management('POST', `/clients/${admin.id}/rotate-secret`, undefined, self.token), 403, 'insufficient_scope');
    // The admin's secret still works.
    await expectTokenResponse(await clientCredentials({ audience: MANAGEMENT_AUDIENCE }, admin.basic));
  });

  it('nor with grant:management_api when the admin client holds a scope the caller lacks', async () => {
    const admin = await createMachineClient(MANAGEMENT_AUDIENCE, ['read:users', 'rotate:keys']);
    const self = await operator(['update:clients', 'delete:clients', 'read:users', GRANT_SCOPE]);
    await expectApiError(await management('POST', `/clients/${admin.id}/rotate-secret`, undefined, self.token), 403, 'forbidden');
    await expectApiError(await management('DELETE', `/clients/${admin.id}`, undefined, self.token), 403, 'forbidden');
    await expectTokenResponse(await clientCredentials({ audience: MANAGEMENT_AUDIENCE }, admin.basic));
  });

  it('rotating the secret of a client without Management API access needs no grant:management_api', async () => {
    const machine = await createMachineClient('https://api.example.com', ['read:items']);
    const self = await operator(['update:clients']);
    const rotated = await ok<{ client_secret: string }>(await management('POST', `/clients/${machine.id}/rotate-secret`, undefined, self.token));
    expect(rotated.client_secret).toEqual(expect.any(String));
  });
});

describe('migrations/0006_management_grant_scope.sql', () => {
  it('the built-in API defines grant:management_api, and dev-admin holds it', async () => {
    const api = await env.DB.prepare('SELECT scopes FROM apis WHERE identifier = ?').bind(MANAGEMENT_AUDIENCE).first<{ scopes: string }>();
    expect(JSON.parse(api!.scopes)).toContain(GRANT_SCOPE);
    expect((await expectTokenResponse(await clientCredentials({ scope: GRANT_SCOPE }))).scope).toBe(GRANT_SCOPE);
  });

  it('gives it to grants that held every other Management API scope, and to no narrower grant', async () => {
    const full = await createMachineClient(MANAGEMENT_AUDIENCE, scopesWithout(GRANT_SCOPE));
    const narrow = await createMachineClient(MANAGEMENT_AUDIENCE, ['read:users']);
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0006_'))!;
    // Run again on today's rows: as on a deployment that predates the scope (and idempotent).
    await env.DB.prepare(`UPDATE apis SET scopes = ? WHERE identifier = ?`).bind(JSON.stringify(scopesWithout(GRANT_SCOPE)), MANAGEMENT_AUDIENCE).run();
    for (let run = 0; run < 2; run++) await env.DB.batch(migration.queries.map((query) => env.DB.prepare(query)));
    const scopesOf = async (id: string) =>
      JSON.parse((await env.DB.prepare('SELECT scopes FROM client_grants WHERE id = ?').bind(id).first<{ scopes: string }>())!.scopes) as string[];
    // Later migrations append their own scopes: the set matters, not where 0006 puts its one.
    expect((await scopesOf(full.grantId)).sort()).toEqual([...MANAGEMENT_SCOPES].sort());
    expect(await scopesOf(narrow.grantId)).toEqual(['read:users']);
    const api = await env.DB.prepare('SELECT scopes FROM apis WHERE identifier = ?').bind(MANAGEMENT_AUDIENCE).first<{ scopes: string }>();
    expect((JSON.parse(api!.scopes) as string[]).sort()).toEqual([...MANAGEMENT_SCOPES].sort());
  });
});
