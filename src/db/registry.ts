import { eq } from 'drizzle-orm';
import { getConfig } from '../config';
import { database } from './client';
import { apis, clientGrants, clients, type ApiRow, type ClientGrantRow, type ClientRow } from './schema';
import { TtlCache } from './ttl-cache';

/**
 * Clients and APIs change rarely and are read on every request, so each isolate keeps them for
 * REGISTRY_CACHE_TTL_SECONDS: a change reaches every isolate within that time.
 */
const clientCache = new TtlCache<ClientRow>();
const apiCache = new TtlCache<ApiRow>();
const allApisCache = new TtlCache<ApiRow[]>(1);
const clientGrantsCache = new TtlCache<ClientGrantRow[]>();

function ttlMs(env: Env): number {
  return getConfig(env).registryCacheTtlSeconds * 1000;
}

export async function findClient(env: Env, clientId: string): Promise<ClientRow | undefined> {
  const cached = clientCache.get(clientId);
  if (cached) return cached;
  const row = await database(env).select().from(clients).where(eq(clients.id, clientId)).get();
  if (row) clientCache.set(clientId, row, ttlMs(env));
  return row;
}

export async function findApi(env: Env, identifier: string): Promise<ApiRow | undefined> {
  const cached = apiCache.get(identifier);
  if (cached) return cached;
  const row = await database(env).select().from(apis).where(eq(apis.identifier, identifier)).get();
  if (row) apiCache.set(identifier, row, ttlMs(env));
  return row;
}

/**
 * What /authorize needs, in at most one D1 round trip: the client and the APIs (few, and cached
 * together), read in one batch when either is missing from the isolate's cache.
 */
export async function findClientAndApis(env: Env, clientId: string): Promise<{ client: ClientRow | undefined; apis: ApiRow[] }> {
  const cachedClient = clientCache.get(clientId);
  const cachedApis = allApisCache.get('all');
  if (cachedClient && cachedApis) return { client: cachedClient, apis: cachedApis };
  const db = database(env);
  const [clientRows, apiRows] = await db.batch([
    db.select().from(clients).where(eq(clients.id, clientId)).limit(1),
    db.select().from(apis).orderBy(apis.identifier),
  ]);
  const client = clientRows[0];
  if (client) clientCache.set(clientId, client, ttlMs(env));
  allApisCache.set('all', apiRows, ttlMs(env));
  return { client, apis: apiRows };
}

export async function listApis(env: Env): Promise<ApiRow[]> {
  const cached = allApisCache.get('all');
  if (cached) return cached;
  const rows = await database(env).select().from(apis).orderBy(apis.identifier);
  allApisCache.set('all', rows, ttlMs(env));
  return rows;
}

/** After a Management API change (and in tests): this isolate sees it at once, the others within the TTL. */
export function clearRegistryCache(): void {
  clientCache.clear();
  apiCache.clear();
  allApisCache.clear();
  clientGrantsCache.clear();
}

/** A client's grants for machine-to-machine tokens; an empty list is cached too, since it is keyed by a known client. */
export async function findClientGrants(env: Env, clientId: string): Promise<ClientGrantRow[]> {
  const cached = clientGrantsCache.get(clientId);
  if (cached) return cached;
  const rows = await database(env).select().from(clientGrants).where(eq(clientGrants.clientId, clientId));
  clientGrantsCache.set(clientId, rows, ttlMs(env));
  return rows;
}
