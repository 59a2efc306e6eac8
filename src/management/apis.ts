import { Hono } from 'hono/tiny';
import { eq } from 'drizzle-orm';
import * as v from 'valibot';
import { SIGNING_ALGS } from '../crypto/jwt';
import { randomToken } from '../crypto/random';
import { database } from '../db/client';
import { clearRegistryCache } from '../db/registry';
import { apis, type ApiRow } from '../db/schema';
import { ApiError, invalidBody, notFound } from '../errors/api-error';
import { conflictOnDuplicate } from './conflict';
import { MANAGEMENT_AUDIENCE } from '../oauth/management-api';
import { requireScope, type ManagementEnv } from './authorize-management';
import { apiJson } from './serialize';
import { listPage } from './list-page';
import { idParam, lifetime, name, parseBody, scopeToken, uniqueList } from './validation';

/** Words for the consent page, per scope: at most 200 characters each. */
const scopeDescriptions = v.pipe(v.record(scopeToken, v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))), v.check((map) => Object.keys(map).length <= 100, 'at most 100 entries'));

const apiFields = {
  name,
  scopes: v.optional(uniqueList(scopeToken, 100), []),
  scope_descriptions: v.optional(scopeDescriptions, {}),
  access_token_ttl_seconds: v.optional(v.nullable(lifetime(60, 86_400))),
  signing_alg: v.optional(v.picklist(SIGNING_ALGS), 'ES256'),
};
const CreateApi = v.strictObject({
  ...apiFields,
  /** The `audience` value: an absolute URI, as Auth0 asks. */
  identifier: v.pipe(v.string(), v.maxLength(200), v.url('must be an absolute URI')),
});
const UpdateApi = v.strictObject({
  name: v.optional(apiFields.name),
  scopes: v.optional(uniqueList(scopeToken, 100)),
  scope_descriptions: v.optional(scopeDescriptions),
  access_token_ttl_seconds: apiFields.access_token_ttl_seconds,
  signing_alg: v.optional(v.picklist(SIGNING_ALGS)),
});

/** Descriptions are for scopes the API defines. */
function checkDescriptions(scopes: readonly string[], descriptions: Record<string, string> | undefined): void {
  const unknown = Object.keys(descriptions ?? {}).filter((scope) => !scopes.includes(scope));
  if (unknown.length) throw invalidBody(unknown.map((scope) => ({ path: `scope_descriptions.${scope}`, message: 'the API does not define this scope' })));
}

async function findApiRow(env: Env, id: string): Promise<ApiRow> {
  const row = await database(env).select().from(apis).where(eq(apis.id, id)).get();
  if (!row) throw notFound('API');
  return row;
}

/** The Management API is edge-auth's own: changing it through itself could lock every operator out. */
function refuseBuiltIn(row: ApiRow): void {
  if (row.identifier === MANAGEMENT_AUDIENCE) throw new ApiError(403, 'forbidden', 'The Management API cannot be changed or deleted.');
}

export const apiRoutes = new Hono<ManagementEnv>()
  .get('/', requireScope('read:apis'), async (c) => {
    const db = database(c.env);
    return listPage(
      c,
      (limit, offset) => db.select().from(apis).orderBy(apis.createdAt, apis.id).limit(limit).offset(offset),
      () => db.$count(apis),
      apiJson,
    );
  })
  .post('/', requireScope('create:apis'), async (c) => {
    const input = await parseBody(c, CreateApi);
    checkDescriptions(input.scopes, input.scope_descriptions);
    const db = database(c.env);
    if (await db.select({ id: apis.id }).from(apis).where(eq(apis.identifier, input.identifier)).get()) {
      throw new ApiError(409, 'conflict', 'An API with this identifier exists.');
    }
    const row = await conflictOnDuplicate(
      db
        .insert(apis)
        .values({
          id: randomToken(16),
          identifier: input.identifier,
          name: input.name,
          scopes: input.scopes,
          scopeDescriptions: input.scope_descriptions,
          accessTokenTtlSeconds: input.access_token_ttl_seconds ?? null,
          signingAlg: input.signing_alg,
        })
        .returning()
        .get(),
      'An API with this identifier exists.',
    );
    clearRegistryCache();
    c.var.audit({ event: 'management_change', actor: c.get('actor'), detail: { resource: 'api', action: 'create', id: row.id } });
    return c.json(apiJson(row), 201);
  })
  .get('/:id', requireScope('read:apis'), async (c) => c.json(apiJson(await findApiRow(c.env, idParam(c)))))
  .patch('/:id', requireScope('update:apis'), async (c) => {
    const existing = await findApiRow(c.env, idParam(c));
    refuseBuiltIn(existing);
    const input = await parseBody(c, UpdateApi);
    const scopes = input.scopes ?? existing.scopes;
    // Descriptions of scopes the update removes go with them.
    const descriptions = Object.fromEntries(Object.entries(input.scope_descriptions ?? existing.scopeDescriptions).filter(([scope]) => scopes.includes(scope)));
    if (input.scope_descriptions) checkDescriptions(scopes, input.scope_descriptions);
    const row = await database(c.env)
      .update(apis)
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.scopes !== undefined && { scopes: input.scopes }),
        scopeDescriptions: descriptions,
        ...(input.access_token_ttl_seconds !== undefined && { accessTokenTtlSeconds: input.access_token_ttl_seconds }),
        ...(input.signing_alg !== undefined && { signingAlg: input.signing_alg }),
        updatedAt: new Date(),
      })
      .where(eq(apis.id, existing.id))
      .returning()
      .get();
    clearRegistryCache();
    c.var.audit({ event: 'management_change', actor: c.get('actor'), detail: { resource: 'api', action: 'update', id: existing.id } });
    return c.json(apiJson(row!));
  })
  .delete('/:id', requireScope('delete:apis'), async (c) => {
    const existing = await findApiRow(c.env, idParam(c));
    refuseBuiltIn(existing);
    await database(c.env).delete(apis).where(eq(apis.id, existing.id)).run();
    clearRegistryCache();
    c.var.audit({ event: 'management_change', actor: c.get('actor'), detail: { resource: 'api', action: 'delete', id: existing.id } });
    return c.body(null, 204);
  });
