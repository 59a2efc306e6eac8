/**
 * The Management API (/api/v1) as an operator uses it: dev-admin's client credentials and tokens,
 * calls and their JSON answers, and the clients, users and audit events it manages.
 */
import { expect } from 'vitest';
import { expectTokenResponse } from './assertions';
import { basic, call, form } from './http';
import { unique } from './values';

/** The built-in Management API (migrations/0003_management_api.sql, 0006_management_grant_scope.sql, 0016_federation.sql). */
export const MANAGEMENT_AUDIENCE = 'urn:edge-auth:management-api';

/** Every scope the built-in Management API defines, in its order. */
export const MANAGEMENT_SCOPES = [
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  'read:apis',
  'create:apis',
  'update:apis',
  'delete:apis',
  'read:client_grants',
  'create:client_grants',
  'update:client_grants',
  'delete:client_grants',
  'read:users',
  'create:users',
  'update:users',
  'delete:users',
  'read:keys',
  'rotate:keys',
  'read:audit',
  'grant:management_api',
  'read:connections',
  'create:connections',
  'update:connections',
  'delete:connections',
] as const;

export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

/** The dev seed's operator client (scripts/dev-seed.sql). */
export const ADMIN_BASIC = basic('dev-admin', 'dev-admin-secret');

/** POST /oauth/token with grant_type=client_credentials, as dev-admin unless another Basic header (or `null`: none) is given. */
export function clientCredentials(fields: Record<string, string> = {}, authorization: string | null = ADMIN_BASIC): Promise<Response> {
  const headers: Record<string, string> = authorization === null ? {} : { Authorization: authorization };
  return call('/oauth/token', form({ grant_type: 'client_credentials', ...fields }, { headers }));
}

/** A Management API token of dev-admin, narrowed to `scopes` (all granted scopes when omitted). */
export async function managementToken(scopes?: readonly string[]): Promise<string> {
  const fields: Record<string, string> = scopes === undefined ? {} : { scope: scopes.join(' ') };
  return (await expectTokenResponse(await clientCredentials(fields))).access_token;
}

/** Every Management API scope but `scope`. */
export const scopesWithout = (scope: string) => MANAGEMENT_SCOPES.filter((s) => s !== scope);

/**
 * One Management API call. `body` is sent as JSON (a string or bytes are sent as they are); `token` defaults to
 * a fresh dev-admin token with every scope, `null` sends no Authorization header.
 */
export async function management(
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
  headers: Record<string, string> = {},
): Promise<Response> {
  const bearer = token === undefined ? await managementToken() : token;
  const init: RequestInit = {
    method,
    headers: {
      ...(bearer === null ? {} : { Authorization: `Bearer ${bearer}` }),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) }),
  };
  return call(`/api/v1${path}`, init);
}

/** A successful JSON answer: status, and the body; Management API answers are never cached. */
export async function ok<T = Record<string, unknown>>(response: Response, status = 200): Promise<T> {
  expect(response.status, await response.clone().text()).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  if (new URL(response.url).pathname.startsWith('/api/v1/')) expect(response.headers.get('Cache-Control')).toBe('no-store');
  return (await response.json()) as T;
}

export interface ApiErrorBody {
  error: string;
  error_description: string;
  fields?: { path: string; message: string }[];
}

/** A Management API error (src/management/api-error.ts): JSON, no-store, a stable code. */
export async function expectApiError(response: Response, status: number, code: string): Promise<ApiErrorBody> {
  expect(response.status, await response.clone().text()).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  const body = (await response.json()) as ApiErrorBody;
  expect(body.error).toBe(code);
  expect(typeof body.error_description).toBe('string');
  return body;
}

/** A 400 `invalid_body` whose field paths are exactly `paths` (in any order). */
export async function expectInvalidFields(response: Response, paths: string[]): Promise<ApiErrorBody> {
  const body = await expectApiError(response, 400, 'invalid_body');
  expect(body.fields?.map((f) => f.path).sort()).toEqual([...paths].sort());
  for (const field of body.fields ?? []) expect(field.message).toEqual(expect.any(String));
  return body;
}

export interface Page<T> {
  items: T[];
  page: number;
  per_page: number;
  total: number;
}

/** Every item of a paginated list, walking `per_page` at a time. */
export async function listAll<T>(path: string, perPage = 100): Promise<T[]> {
  const token = await managementToken();
  const items: T[] = [];
  for (let page = 0; ; page++) {
    const separator = path.includes('?') ? '&' : '?';
    const body = await ok<Page<T>>(await management('GET', `${path}${separator}page=${page}&per_page=${perPage}`, undefined, token));
    items.push(...body.items);
    if (body.items.length < perPage) return items;
  }
}

export interface ClientJson {
  id: string;
  name: string;
  type: 'public' | 'confidential';
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scopes: string[];
  audiences: string[];
  access_token_ttl_seconds: number | null;
  refresh_token_absolute_ttl_seconds: number;
  refresh_token_idle_ttl_seconds: number;
  refresh_token_reuse_leeway_seconds: number;
  require_consent: boolean;
  logo_uri: string | null;
  primary_color: string | null;
  created_at: string;
  updated_at: string;
  client_secret?: string;
}

/**
 * A client the Management API accepts: a public app that signs users in, with one redirect URI, the
 * openid scope and the Example API unless `fields` says otherwise (or asks for no authorization_code).
 */
export async function createClient(fields: Record<string, unknown> = {}): Promise<ClientJson> {
  const grantTypes = fields.grant_types as string[] | undefined;
  const signsIn = grantTypes === undefined || grantTypes.includes('authorization_code');
  const app = signsIn ? { redirect_uris: [`com.example.app${unique()}:/callback`], scopes: ['openid'], audiences: ['https://api.example.com'] } : {};
  return ok<ClientJson>(await management('POST', '/clients', { name: `Client ${unique()}`, type: 'public', ...app, ...fields }), 201);
}

/** A confidential machine-to-machine client with a client grant for `audience`: its id and secret. */
export async function createMachineClient(audience = 'https://api.example.com', scopes: string[] = ['read:items']) {
  const client = await createClient({ type: 'confidential', grant_types: ['client_credentials'] });
  const grant = await ok<{ id: string }>(await management('POST', '/client-grants', { client_id: client.id, audience, scopes }), 201);
  return { id: client.id, secret: client.client_secret!, grantId: grant.id, basic: basic(client.id, client.client_secret!) };
}

export interface UserJson {
  id: string;
  email: string;
  name: string | null;
  email_verified: boolean;
  blocked: boolean;
  locale: string | null;
  created_at: string;
  updated_at: string;
}

export async function createUser(fields: Record<string, unknown> = {}): Promise<UserJson & { password: string }> {
  const password = (fields.password as string | undefined) ?? `pw-${unique()}-${unique()}`;
  const body = { email: `user-${unique()}@example.org`, password, ...fields };
  return { ...(await ok<UserJson>(await management('POST', '/users', body), 201)), password };
}

export interface AuditEventJson {
  id: string;
  at: string;
  event: string;
  actor: string | null;
  client_id: string | null;
  user_id: string | null;
  grant_id: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * Audit rows are written through waitUntil after the response: polls GET /audit-events (bounded)
 * until `done` holds for the listed items, and returns them.
 */
export async function waitForAudit(query: string, done: (items: AuditEventJson[]) => boolean, tries = 20): Promise<AuditEventJson[]> {
  const token = await managementToken(['read:audit']);
  let items: AuditEventJson[] = [];
  for (let attempt = 0; attempt < tries; attempt++) {
    items = (await ok<Page<AuditEventJson>>(await management('GET', `/audit-events?per_page=100&${query}`, undefined, token))).items;
    if (done(items)) return items;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect.fail(`audit events for ${query} never matched; last saw ${JSON.stringify(items.map((e) => e.event))}`);
}

export const eventNames = (items: AuditEventJson[]) => items.map((e) => e.event);
