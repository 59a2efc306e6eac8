import { Hono } from 'hono/tiny';
import { and, eq } from 'drizzle-orm';
import * as v from 'valibot';
import { randomToken } from '../crypto/random';
import { database } from '../db/client';
import { clearRegistryCache } from '../db/registry';
import { apis, clientGrants, clients, type ClientGrantRow } from '../db/schema';
import { ApiError, invalidBody, notFound } from '../errors/api-error';
import { conflictOnDuplicate } from './conflict';
import { MANAGEMENT_AUDIENCE } from '../oauth/management-api';
import { requireManagementPrivilege, requireScope, type ManagementEnv } from './authorize-management';
import { clientGrantJson } from './serialize';
import { listPage } from './list-page';
import { idParam, parseBody, scopeToken, uniqueList } from './validation';

const CreateClientGrant = v.strictObject({
  client_id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  audience: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  scopes: uniqueList(scopeToken, 100),
});
const UpdateClientGrant = v.strictObject({ scopes: uniqueList(scopeToken, 100) });

async function findGrantRow(env: Env, id: string): Promise<ClientGrantRow> {
  const row = await database(env).select().from(clientGrants).where(eq(clientGrants.id, id)).get();
  if (!row) throw notFound('client grant');
  return row;
}

/** Scopes must be ones the API defines. */
async function checkScopes(env: Env, audience: string, scopes: readonly string[]): Promise<void> {
  const api = await database(env).select().from(apis).where(eq(apis.identifier, audience)).get();
  if (!api) throw invalidBody([{ path: 'audience', message: 'no API has this identifier' }]);
  const unknown = scopes.map((scope, index) => ({ scope, index })).filter(({ scope }) => !api.scopes.includes(scope));
  if (unknown.length) throw invalidBody(unknown.map(({ index }) => ({ path: `scopes.${index}`, message: 'the API does not define this scope' })));
}

export const clientGrantRoutes = new Hono<ManagementEnv>()
  .get('/', requireScope('read:client_grants'), async (c) => {
    const clientId = c.req.query('client_id');
    const where = clientId === undefined ? undefined : eq(clientGrants.clientId, clientId);
    const db = database(c.env);
    return listPage(
      c,
      (limit, offset) => db.select().from(clientGrants).where(where).orderBy(clientGrants.createdAt, clientGrants.id).limit(limit).offset(offset),
      () => db.$count(clientGrants, where),
      clientGrantJson,
    );
  })
  .post('/', requireScope('create:client_grants'), async (c) => {
    const input = await parseBody(c, CreateClientGrant);
    if (input.audience === MANAGEMENT_AUDIENCE) requireManagementPrivilege(c, input.scopes);
    const db = database(c.env);
    const client = await db.select().from(clients).where(eq(clients.id, input.client_id)).get();
    if (!client) throw invalidBody([{ path: 'client_id', message: 'no such client' }]);
    if (client.type !== 'confidential') throw invalidBody([{ path: 'client_id', message: 'client grants are for confidential clients' }]);
    await checkScopes(c.env, input.audience, input.scopes);
    const existing = await db
      .select({ id: clientGrants.id })
      .from(clientGrants)
      .where(and(eq(clientGrants.clientId, input.client_id), eq(clientGrants.audience, input.audience)))
      .get();
    if (existing) throw new ApiError(409, 'conflict', 'This client already has a grant for this audience.');
    const row = await conflictOnDuplicate(
      db
        .insert(clientGrants)
        .values({ id: randomToken(16), clientId: input.client_id, audience: input.audience, scopes: input.scopes })
        .returning()
        .get(),
      'This client already has a grant for this audience.',
    );
    clearRegistryCache();
    c.var.audit({ event: 'management_change', actor: c.get('actor'), clientId: input.client_id, detail: { resource: 'client_grant', action: 'create', id: row.id } });
    return c.json(clientGrantJson(row), 201);
  })
  .get('/:id', requireScope('read:client_grants'), async (c) => c.json(clientGrantJson(await findGrantRow(c.env, idParam(c)))))
  .patch('/:id', requireScope('update:client_grants'), async (c) => {
    const existing = await findGrantRow(c.env, idParam(c));
    const input = await parseBody(c, UpdateClientGrant);
    // Neither what is granted nor what was: a grant above the caller's own is not the caller's to change.
    if (existing.audience === MANAGEMENT_AUDIENCE) requireManagementPrivilege(c, [...existing.scopes, ...input.scopes]);
    await checkScopes(c.env, existing.audience, input.scopes);
    const row = await database(c.env)
      .update(clientGrants)
      .set({ scopes: input.scopes, updatedAt: new Date() })
      .where(eq(clientGrants.id, existing.id))
      .returning()
      .get();
    clearRegistryCache();
    c.var.audit({ event: 'management_change', actor: c.get('actor'), clientId: existing.clientId, detail: { resource: 'client_grant', action: 'update', id: existing.id } });
    return c.json(clientGrantJson(row!));
  })
  .delete('/:id', requireScope('delete:client_grants'), async (c) => {
    const existing = await findGrantRow(c.env, idParam(c));
    if (existing.audience === MANAGEMENT_AUDIENCE) requireManagementPrivilege(c, existing.scopes);
    await database(c.env).delete(clientGrants).where(eq(clientGrants.id, existing.id)).run();
    clearRegistryCache();
    c.var.audit({ event: 'management_change', actor: c.get('actor'), clientId: existing.clientId, detail: { resource: 'client_grant', action: 'delete', id: existing.id } });
    return c.body(null, 204);
  });
