import { and, eq } from 'drizzle-orm';
import { database } from './client';
import { consents } from './schema';

/** The scopes a user has allowed this client, or none. */
export async function findConsent(env: Env, userId: string, clientId: string): Promise<string[]> {
  const row = await database(env)
    .select({ scopes: consents.scopes })
    .from(consents)
    .where(and(eq(consents.userId, userId), eq(consents.clientId, clientId)))
    .get();
  return row?.scopes ?? [];
}

/** Adds scopes to what the user has allowed the client (consent accumulates, as Auth0's does). */
export async function saveConsent(env: Env, userId: string, clientId: string, scopes: readonly string[]): Promise<void> {
  const merged = [...new Set([...(await findConsent(env, userId, clientId)), ...scopes])];
  await database(env)
    .insert(consents)
    .values({ userId, clientId, scopes: merged })
    .onConflictDoUpdate({ target: [consents.userId, consents.clientId], set: { scopes: merged, updatedAt: new Date() } })
    .run();
}
