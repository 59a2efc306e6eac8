import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { eq } from 'drizzle-orm';
import { getConfig } from '../config';
import { randomToken } from '../crypto/random';
import { database } from '../db/client';
import { clearConnectionCache, NoSecretsKeyError, sealConnectionSecret } from '../db/connections';
import { connections, type ConnectionRow } from '../db/schema';
import { ApiError, invalidBody, notFound } from '../errors/api-error';
import { requireScope, type ManagementEnv } from './authorize-management';
import { conflictOnDuplicate } from './conflict';
import { connectionJson, connectionProblems, CreateConnection, UpdateConnection, type ConnectionInput } from './connection-rules';
import { listPage } from './list-page';
import { idParam, parseBody } from './validation';

const DISPLAY_NAMES = { google: 'Google', apple: 'Apple', github: 'GitHub' } as const;

async function findConnectionRow(env: Env, id: string): Promise<ConnectionRow> {
  const row = await database(env).select().from(connections).where(eq(connections.id, id)).get();
  if (!row) throw notFound('connection');
  return row;
}

/** The columns an input sets; the secret (or Apple's key) is sealed to the connection's id. */
async function columns(env: Env, id: string, input: ConnectionInput): Promise<Partial<typeof connections.$inferInsert>> {
  const secret = input.apple_private_key ?? input.client_secret;
  let secretSealed: string | undefined;
  try {
    secretSealed = secret === undefined ? undefined : await sealConnectionSecret(env, id, secret);
  } catch (error) {
    if (!(error instanceof NoSecretsKeyError)) throw error;
    throw invalidBody([{ path: 'client_secret', message: 'cannot be stored: set the CONNECTION_SECRETS_KEY secret, or give client_secret_ref' }]);
  }
  return {
    ...(input.display_name !== undefined && { displayName: input.display_name }),
    ...(input.issuer !== undefined && { issuer: input.issuer?.replace(/\/$/, '') ?? null }),
    ...(input.client_id !== undefined && { clientId: input.client_id }),
    // A secret and a reference replace each other.
    ...(secretSealed !== undefined && { secretSealed, secretRef: null }),
    ...(input.client_secret_ref !== undefined && { secretRef: input.client_secret_ref, ...(input.client_secret_ref !== null && { secretSealed: null }) }),
    ...(input.apple_team_id !== undefined && { appleTeamId: input.apple_team_id }),
    ...(input.apple_key_id !== undefined && { appleKeyId: input.apple_key_id }),
    ...(input.scopes !== undefined && { scopes: input.scopes }),
    ...(input.response_mode !== undefined && { responseMode: input.response_mode }),
  };
}

function check(c: Context<ManagementEnv>, row: Pick<ConnectionRow, 'type' | 'issuer' | 'secretSealed' | 'secretRef' | 'appleTeamId' | 'appleKeyId'>, input: ConnectionInput) {
  const problems = connectionProblems(
    row.type,
    { issuer: row.issuer, hasSecret: row.secretSealed !== null || row.secretRef !== null, appleTeamId: row.appleTeamId, appleKeyId: row.appleKeyId },
    input,
    getConfig(c.env).allowLoopbackFetch,
  );
  if (problems.length) throw invalidBody(problems);
}

const json = (c: Context<ManagementEnv>, row: ConnectionRow) => connectionJson(row, c.var.config.issuer);

/** /api/v1/connections: upstream identity providers (issue 17); secrets go in, never out. */
export const connectionRoutes = new Hono<ManagementEnv>()
  .get('/', requireScope('read:connections'), async (c) => {
    const db = database(c.env);
    return listPage(
      c,
      (limit, offset) => db.select().from(connections).orderBy(connections.createdAt, connections.id).limit(limit).offset(offset),
      () => db.$count(connections),
      (row) => json(c, row),
    );
  })
  .post('/', requireScope('create:connections'), async (c) => {
    const input = await parseBody(c, CreateConnection);
    const id = `con_${randomToken(12)}`;
    const set = await columns(c.env, id, input);
    const values = {
      id, name: input.name, type: input.type, displayName: input.display_name ?? (input.type === 'oidc' ? input.name : DISPLAY_NAMES[input.type]),
      issuer: null, secretSealed: null, secretRef: null, appleTeamId: null, appleKeyId: null, ...set, clientId: input.client_id,
    };
    check(c, values, input);
    const row = await conflictOnDuplicate(database(c.env).insert(connections).values(values).returning().get(), 'A connection with this name exists.');
    c.var.audit({ event: 'management_change', actor: c.get('actor'), detail: { resource: 'connection', action: 'create', connection: row.name, type: row.type } });
    return c.json(json(c, row), 201);
  })
  .get('/:id', requireScope('read:connections'), async (c) => c.json(json(c, await findConnectionRow(c.env, idParam(c)))))
  .patch('/:id', requireScope('update:connections'), async (c) => {
    const existing = await findConnectionRow(c.env, idParam(c));
    const input = await parseBody(c, UpdateConnection);
    const set = await columns(c.env, existing.id, input);
    check(c, { ...existing, ...set }, input);
    const row = await database(c.env).update(connections).set({ ...set, updatedAt: new Date() }).where(eq(connections.id, existing.id)).returning().get();
    if (!row) throw new ApiError(404, 'not_found', 'No such connection.');
    clearConnectionCache();
    const fields = Object.keys(input).join(',');
    c.var.audit({ event: 'management_change', actor: c.get('actor'), detail: { resource: 'connection', action: 'update', connection: row.name, fields } });
    return c.json(json(c, row));
  })
  // Deleting a connection unlinks its identities (the foreign key cascades): their users keep any other way to sign in.
  .delete('/:id', requireScope('delete:connections'), async (c) => {
    const existing = await findConnectionRow(c.env, idParam(c));
    await database(c.env).delete(connections).where(eq(connections.id, existing.id)).run();
    clearConnectionCache();
    c.var.audit({ event: 'management_change', actor: c.get('actor'), detail: { resource: 'connection', action: 'delete', connection: existing.name } });
    return c.body(null, 204);
  });
