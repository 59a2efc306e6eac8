import { and, eq } from 'drizzle-orm';
import { database } from './client';
import { passkeyCredentials, users, type UserRow } from './schema';

/** Records whose passkey a credential id is; false when the id already belongs to someone. */
export async function claimPasskeyCredential(env: Env, credentialId: string, userId: string): Promise<boolean> {
  const row = await database(env)
    .insert(passkeyCredentials)
    .values({ credentialId, userId, createdAt: new Date() })
    .onConflictDoNothing()
    .returning({ id: passkeyCredentials.credentialId })
    .get();
  return row !== undefined;
}

/** The user a credential belongs to, with what a sign-in needs of the row (one read). */
export async function findPasskeyOwner(env: Env, credentialId: string): Promise<Pick<UserRow, 'id' | 'emailVerified' | 'blocked' | 'locale'> | undefined> {
  return database(env)
    .select({ id: users.id, emailVerified: users.emailVerified, blocked: users.blocked, locale: users.locale })
    .from(passkeyCredentials)
    .innerJoin(users, eq(users.id, passkeyCredentials.userId))
    .where(eq(passkeyCredentials.credentialId, credentialId))
    .get();
}

export async function releasePasskeyCredential(env: Env, credentialId: string, userId: string): Promise<void> {
  await database(env)
    .delete(passkeyCredentials)
    .where(and(eq(passkeyCredentials.credentialId, credentialId), eq(passkeyCredentials.userId, userId)))
    .run();
}
