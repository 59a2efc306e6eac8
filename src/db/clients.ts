import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { randomToken } from '../crypto/random';
import { database } from './client';
import { clearRegistryCache } from './registry';
import { clients, type ClientRow } from './schema';

/**
 * 128 random bits, base64url, never starting with `-`: operators pass client ids to the CLI and
 * other command lines, where a leading `-` reads as an option.
 */
export function newClientId(): string {
  for (;;) {
    const id = randomToken(16);
    if (!id.startsWith('-')) return id;
  }
}

/** The stored row, read from D1 (not the isolate's cache): for changes and RFC 7592 reads. */
export async function readClientRow(env: Env, id: string): Promise<ClientRow | undefined> {
  return database(env).select().from(clients).where(eq(clients.id, id)).get();
}

/**
 * Deletes a client: its client grants go with it (ON DELETE CASCADE), and its users' grants stop
 * working because every token request looks the client up. This isolate forgets it at once, the
 * others within REGISTRY_CACHE_TTL_SECONDS.
 */
export async function deleteClient(env: Env, id: string): Promise<void> {
  await database(env).delete(clients).where(eq(clients.id, id)).run();
  clearRegistryCache();
}

export async function insertClient(env: Env, values: typeof clients.$inferInsert): Promise<ClientRow> {
  return database(env).insert(clients).values(values).returning().get();
}

/** Dynamically registered clients not used since `cutoff` (never used: not since registration), oldest first. */
export async function findIdleRegisteredClients(env: Env, cutoff: Date, limit: number): Promise<Pick<ClientRow, 'id'>[]> {
  return database(env)
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.registration, 'dynamic'), lt(sql`coalesce(${clients.lastUsedAt}, ${clients.createdAt})`, cutoff.getTime())))
    .orderBy(clients.createdAt)
    .limit(limit);
}

/** Sets last_used_at unless another isolate set it within `withinMs`: the WHERE keeps the write idempotent per day. */
export async function markClientUsed(env: Env, id: string, now: Date, withinMs: number): Promise<void> {
  const recent = new Date(now.getTime() - withinMs);
  await database(env)
    .update(clients)
    .set({ lastUsedAt: now })
    .where(and(eq(clients.id, id), or(isNull(clients.lastUsedAt), lt(clients.lastUsedAt, recent))))
    .run();
}
