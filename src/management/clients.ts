import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { and, eq, inArray } from 'drizzle-orm';
import * as v from 'valibot';
import { getConfig } from '../config';
import { sha256Base64url } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { database } from '../db/client';
import { deleteClient, newClientId } from '../db/clients';
import { clearRegistryCache } from '../db/registry';
import { apis, clientGrants, clients, type ClientRow } from '../db/schema';
import { ApiError, invalidBody, notFound } from '../errors/api-error';
import { requireManagementPrivilege, requireScope, type ManagementEnv } from './authorize-management';
import { GRANT_TYPES } from '../oauth/grant-types';
import { MANAGEMENT_AUDIENCE } from '../oauth/management-api';
import { SSO_CONFIRMATION } from '../oauth/session-confirmation';
import { LOCALES } from '../i18n/messages';
import { HEX_COLOUR } from '../views/layout';
import { clientProblems, RULE_FIELDS, type ApiScopes, type ClientSettings } from './client-rules';
import { clientKeyFields, jwksUriIssues } from './client-keys';
import { connectionName } from './connection-rules';
import { clientJson } from './serialize';
import { listPage } from './list-page';
import { idParam, lifetime, name, parseBody, redirectUri, scopeToken, uniqueList } from './validation';

/** An Android app (Digital Asset Links): its package name and its signing certificates' SHA-256 fingerprints. */
const androidPackage = v.strictObject({
  package_name: v.pipe(v.string(), v.maxLength(255), v.regex(/^[A-Za-z]\w*(\.[A-Za-z]\w*)+$/, 'must be a package name like com.example.app')),
  sha256_cert_fingerprints: v.pipe(
    uniqueList(v.pipe(v.string(), v.toUpperCase(), v.regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be a SHA-256 fingerprint like 14:6D:E9:...')), 10),
    v.minLength(1),
  ),
});

const clientFields = {
  name,
  redirect_uris: v.optional(uniqueList(redirectUri, 20), []),
  post_logout_redirect_uris: v.optional(uniqueList(redirectUri, 20), []),
  grant_types: v.optional(uniqueList(v.picklist(GRANT_TYPES), 3), ['authorization_code', 'refresh_token']),
  scopes: v.optional(uniqueList(scopeToken, 100), []),
  audiences: v.optional(uniqueList(v.pipe(v.string(), v.minLength(1), v.maxLength(200)), 20), []),
  access_token_ttl_seconds: v.optional(v.nullable(lifetime(60, 86_400))),
  refresh_token_absolute_ttl_seconds: v.optional(lifetime(3600, 365 * 86_400)),
  refresh_token_idle_ttl_seconds: v.optional(lifetime(3600, 365 * 86_400)),
  refresh_token_reuse_leeway_seconds: v.optional(lifetime(0, 300)),
  require_consent: v.optional(v.boolean()),
  sso_confirmation: v.optional(v.picklist(SSO_CONFIRMATION)),
  require_pushed_authorization_requests: v.optional(v.boolean()),
  dpop_bound_access_tokens: v.optional(v.boolean()),
  allow_signup: v.optional(v.boolean()),
  require_verified_email: v.optional(v.boolean()),
  default_locale: v.optional(v.nullable(v.picklist(LOCALES))),
  require_mfa: v.optional(v.boolean()),
  ios_app_ids: v.optional(uniqueList(v.pipe(v.string(), v.regex(/^[A-Z0-9]{10}\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, 'must be TEAMID.bundle.id')), 20)),
  android_packages: v.optional(v.pipe(v.array(androidPackage), v.maxLength(20))),
  logo_uri: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(2048), v.url(), v.startsWith('https://', 'must be an https URL')))),
  primary_color: v.optional(v.nullable(v.pipe(v.string(), v.regex(HEX_COLOUR, 'must be a colour like #1a73e8')))),
  /** The upstream connections (by name) the login page offers, in this order; unknown names show nothing. */
  connections: v.optional(uniqueList(connectionName, 20)),
  ...clientKeyFields,
};

const CreateClient = v.strictObject({ ...clientFields, type: v.picklist(['public', 'confidential']) });
const UpdateClient = v.strictObject(
  Object.fromEntries(Object.entries(clientFields).map(([key, schema]) => [key, v.optional(schema)])) as {
    [K in keyof typeof clientFields]: v.OptionalSchema<(typeof clientFields)[K], undefined>;
  },
);

type ClientInput = Partial<v.InferOutput<typeof CreateClient>>;

/** The scopes of the APIs named in `audiences`, by identifier, in one query. */
async function apiScopes(env: Env, audiences: readonly string[]): Promise<ApiScopes> {
  if (audiences.length === 0) return new Map();
  const rows = await database(env).select({ identifier: apis.identifier, scopes: apis.scopes }).from(apis).where(inArray(apis.identifier, [...audiences]));
  return new Map(rows.map((row) => [row.identifier, row.scopes]));
}

/** Refuses a client that could not work, checking the rules that read the fields being set. */
async function checkClient(env: Env, client: ClientSettings, changed: Iterable<string>): Promise<void> {
  const fields = new Set(RULE_FIELDS.filter((field) => [...changed].includes(field)));
  const problems = [
    ...(fields.has('jwks_uri') ? jwksUriIssues(client.jwksUri, getConfig(env).allowLoopbackFetch) : []),
    ...clientProblems(client, fields, await apiScopes(env, client.audiences)),
  ];
  if (problems.length) throw invalidBody(problems);
}

function columns(input: ClientInput): Partial<typeof clients.$inferInsert> {
  return {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.redirect_uris !== undefined && { redirectUris: input.redirect_uris }),
    ...(input.post_logout_redirect_uris !== undefined && { postLogoutRedirectUris: input.post_logout_redirect_uris }),
    ...(input.grant_types !== undefined && { grantTypes: input.grant_types }),
    ...(input.scopes !== undefined && { scopes: input.scopes }),
    ...(input.audiences !== undefined && { audiences: input.audiences }),
    ...(input.access_token_ttl_seconds !== undefined && { accessTokenTtlSeconds: input.access_token_ttl_seconds }),
    ...(input.refresh_token_absolute_ttl_seconds !== undefined && { refreshTokenAbsoluteTtlSeconds: input.refresh_token_absolute_ttl_seconds }),
    ...(input.refresh_token_idle_ttl_seconds !== undefined && { refreshTokenIdleTtlSeconds: input.refresh_token_idle_ttl_seconds }),
    ...(input.refresh_token_reuse_leeway_seconds !== undefined && {
      refreshTokenReuseLeewaySeconds: input.refresh_token_reuse_leeway_seconds,
    }),
    ...(input.require_consent !== undefined && { requireConsent: input.require_consent }),
    ...(input.sso_confirmation !== undefined && { ssoConfirmation: input.sso_confirmation }),
    ...(input.require_pushed_authorization_requests !== undefined && {
      requirePushedAuthorizationRequests: input.require_pushed_authorization_requests,
    }),
    ...(input.dpop_bound_access_tokens !== undefined && { dpopBoundAccessTokens: input.dpop_bound_access_tokens }),
    ...(input.allow_signup !== undefined && { allowSignup: input.allow_signup }),
    ...(input.require_verified_email !== undefined && { requireVerifiedEmail: input.require_verified_email }),
    ...(input.default_locale !== undefined && { defaultLocale: input.default_locale }),
    ...(input.require_mfa !== undefined && { requireMfa: input.require_mfa }),
    ...(input.ios_app_ids !== undefined && { iosAppIds: input.ios_app_ids }),
    ...(input.android_packages !== undefined && { androidPackages: input.android_packages }),
    ...(input.logo_uri !== undefined && { logoUri: input.logo_uri }),
    ...(input.primary_color !== undefined && { primaryColor: input.primary_color }),
    ...(input.token_endpoint_auth_method !== undefined && { tokenEndpointAuthMethod: input.token_endpoint_auth_method }),
    ...(input.jwks !== undefined && { jwks: input.jwks }),
    ...(input.jwks_uri !== undefined && { jwksUri: input.jwks_uri }),
    ...(input.connections !== undefined && { connections: input.connections }),
  };
}

async function findClientRow(env: Env, id: string): Promise<ClientRow> {
  const row = await database(env).select().from(clients).where(eq(clients.id, id)).get();
  if (!row) throw notFound('client');
  return row;
}

/**
 * A client that holds Management API access: its secret is that access, and deleting it deletes
 * its grant, so rotating or deleting it is passing on (or taking away) Management API scopes.
 */
async function guardManagementClient(c: Context<ManagementEnv>, client: ClientRow): Promise<void> {
  const grant = await database(c.env)
    .select({ scopes: clientGrants.scopes })
    .from(clientGrants)
    .where(and(eq(clientGrants.clientId, client.id), eq(clientGrants.audience, MANAGEMENT_AUDIENCE)))
    .get();
  if (grant) requireManagementPrivilege(c, grant.scopes);
}

/** A new secret: 256 random bits, shown once, stored as its SHA-256. */
async function newSecret(): Promise<{ secret: string; hash: string }> {
  const secret = randomToken(32);
  return { secret, hash: await sha256Base64url(secret) };
}

export const clientRoutes = new Hono<ManagementEnv>()
  .get('/', requireScope('read:clients'), async (c) => {
    const db = database(c.env);
    return listPage(
      c,
      (limit, offset) => db.select().from(clients).orderBy(clients.createdAt, clients.id).limit(limit).offset(offset),
      () => db.$count(clients),
      clientJson,
    );
  })
  .post('/', requireScope('create:clients'), async (c) => {
    const input = await parseBody(c, CreateClient);
    await checkClient(
      c.env,
      {
        type: input.type,
        grantTypes: input.grant_types,
        redirectUris: input.redirect_uris,
        scopes: input.scopes,
        audiences: input.audiences,
        tokenEndpointAuthMethod: input.token_endpoint_auth_method,
        jwks: input.jwks,
        jwksUri: input.jwks_uri,
      },
      RULE_FIELDS,
    );
    const secret = input.type === 'confidential' ? await newSecret() : undefined;
    const row = await database(c.env)
      .insert(clients)
      .values({ id: newClientId(), type: input.type, secretHash: secret?.hash ?? null, ...columns(input), name: input.name })
      .returning()
      .get();
    c.var.audit({ event: 'management_change', actor: c.get('actor'), clientId: row.id, detail: { resource: 'client', action: 'create' } });
    // The secret is shown this once; only its hash is kept.
    return c.json({ ...clientJson(row), ...(secret ? { client_secret: secret.secret } : {}) }, 201);
  })
  .get('/:id', requireScope('read:clients'), async (c) => c.json(clientJson(await findClientRow(c.env, idParam(c)))))
  .patch('/:id', requireScope('update:clients'), async (c) => {
    const existing = await findClientRow(c.env, idParam(c));
    const input = await parseBody(c, UpdateClient);
    await checkClient(c.env, { ...existing, ...columns(input) }, Object.keys(input));
    const row = await database(c.env)
      .update(clients)
      .set({ ...columns(input), updatedAt: new Date() })
      .where(eq(clients.id, existing.id))
      .returning()
      .get();
    clearRegistryCache();
    c.var.audit({ event: 'management_change', actor: c.get('actor'), clientId: existing.id, detail: { resource: 'client', action: 'update' } });
    return c.json(clientJson(row!));
  })
  .delete('/:id', requireScope('delete:clients'), async (c) => {
    const existing = await findClientRow(c.env, idParam(c));
    await guardManagementClient(c, existing);
    await deleteClient(c.env, existing.id);
    c.var.audit({ event: 'management_change', actor: c.get('actor'), clientId: existing.id, detail: { resource: 'client', action: 'delete' } });
    return c.body(null, 204);
  })
  .post('/:id/rotate-secret', requireScope('update:clients'), async (c) => {
    const existing = await findClientRow(c.env, idParam(c));
    if (existing.type !== 'confidential') throw new ApiError(409, 'conflict', 'Public clients have no secret.');
    await guardManagementClient(c, existing);
    const secret = await newSecret();
    await database(c.env).update(clients).set({ secretHash: secret.hash, updatedAt: new Date() }).where(eq(clients.id, existing.id)).run();
    clearRegistryCache();
    c.var.audit({ event: 'management_change', actor: c.get('actor'), clientId: existing.id, detail: { resource: 'client', action: 'rotate_secret' } });
    return c.json({ ...clientJson(existing), client_secret: secret.secret });
  });
