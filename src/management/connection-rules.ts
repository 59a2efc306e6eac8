import * as v from 'valibot';
import type { ConnectionRow } from '../db/schema';
import { CONNECTION_NAME, PRESET_ISSUERS, type ConnectionType } from '../oauth/connection-presets';
import { checkOutboundUrl } from '../oauth/outbound-url';
import { name, scopeToken, uniqueList } from './validation';

/** A wrangler secret's name, as `wrangler secret put` takes it. */
const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

export const connectionName = v.pipe(v.string(), v.regex(CONNECTION_NAME, 'must be 1 to 40 lower-case letters, digits and dashes'));

const connectionFields = {
  display_name: v.optional(name),
  issuer: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(2048)))),
  client_id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(500))),
  /** Write-only: sealed at rest, never returned. For Apple, the team key instead (`apple_private_key`). */
  client_secret: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4096))),
  client_secret_ref: v.optional(v.nullable(v.pipe(v.string(), v.regex(SECRET_NAME, 'must be a wrangler secret name like GOOGLE_CLIENT_SECRET')))),
  apple_team_id: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^[A-Z0-9]{10}$/, 'must be the 10-character team id')))),
  apple_key_id: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^[A-Z0-9]{10}$/, 'must be the 10-character key id')))),
  apple_private_key: v.optional(v.pipe(v.string(), v.includes('-----BEGIN PRIVATE KEY-----', 'must be the .p8 key (PKCS#8 PEM)'), v.maxLength(4096))),
  scopes: v.optional(uniqueList(scopeToken, 20)),
  response_mode: v.optional(v.nullable(v.picklist(['query', 'form_post']))),
};

export const CreateConnection = v.strictObject({
  ...connectionFields,
  name: connectionName,
  type: v.picklist(['oidc', 'google', 'apple', 'github']),
  client_id: v.pipe(v.string(), v.minLength(1), v.maxLength(500)),
});
export const UpdateConnection = v.strictObject(connectionFields);

export type ConnectionInput = Partial<v.InferOutput<typeof CreateConnection>>;

/** What a connection needs to work, given its type: every problem with the field it is about. */
export function connectionProblems(
  type: ConnectionType,
  merged: { issuer: string | null; hasSecret: boolean; appleTeamId: string | null; appleKeyId: string | null },
  input: ConnectionInput,
  allowLoopback: boolean,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (type === 'oidc') {
    if (!merged.issuer) problems.push({ path: 'issuer', message: 'is required for an OpenID Connect connection' });
    else {
      const checked = checkOutboundUrl(`${merged.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { allowLoopback });
      if (!checked.ok) problems.push({ path: 'issuer', message: `must be an https URL edge-auth may fetch: the URL ${checked.reason}` });
    }
  } else if (input.issuer) {
    problems.push({ path: 'issuer', message: `is fixed for ${type}${PRESET_ISSUERS[type] ? ` (${PRESET_ISSUERS[type]})` : ''}` });
  }
  if (!merged.hasSecret) problems.push({ path: type === 'apple' ? 'apple_private_key' : 'client_secret', message: 'is required (or client_secret_ref)' });
  if (type === 'apple') {
    if (!merged.appleTeamId) problems.push({ path: 'apple_team_id', message: 'is required for Apple' });
    if (!merged.appleKeyId) problems.push({ path: 'apple_key_id', message: 'is required for Apple' });
    if (input.client_secret !== undefined) problems.push({ path: 'client_secret', message: 'is made by edge-auth for Apple: give apple_private_key' });
  } else {
    for (const field of ['apple_team_id', 'apple_key_id', 'apple_private_key'] as const) {
      if (input[field]) problems.push({ path: field, message: 'is only for Apple connections' });
    }
  }
  if (input.client_secret !== undefined && input.client_secret_ref) problems.push({ path: 'client_secret_ref', message: 'give a secret or its wrangler secret name, not both' });
  return problems;
}

/** The Management API's shape: never the secret, only whether there is one and where it lives. */
export const connectionJson = (row: ConnectionRow, issuer: string) => ({
  id: row.id,
  name: row.name,
  type: row.type,
  display_name: row.displayName,
  issuer: row.issuer ?? PRESET_ISSUERS[row.type] ?? null,
  client_id: row.clientId,
  client_secret_set: row.secretSealed !== null,
  client_secret_ref: row.secretRef,
  apple_team_id: row.appleTeamId,
  apple_key_id: row.appleKeyId,
  scopes: row.scopes,
  response_mode: row.responseMode ?? (row.type === 'apple' ? 'form_post' : 'query'),
  /** The redirect URI to register at the upstream. */
  callback_url: `${issuer}/login/federated/callback`,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});
