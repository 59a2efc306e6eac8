import { and, eq } from 'drizzle-orm';
import { database } from './client';
import { connections, userIdentities, users, type UserRow } from './schema';

/** A linked identity as the account page, the export and the Management API show it. */
export interface LinkedIdentity {
  connectionId: string;
  connection: string;
  displayName: string;
  subject: string;
  email: string | null;
  createdAt: Date;
}

/** The user an upstream identity signs in, in one D1 read. */
export async function findUserByIdentity(env: Env, connectionId: string, subject: string): Promise<UserRow | undefined> {
  const row = await database(env)
    .select({ user: users })
    .from(userIdentities)
    .innerJoin(users, eq(users.id, userIdentities.userId))
    .where(and(eq(userIdentities.connectionId, connectionId), eq(userIdentities.subject, subject)))
    .get();
  return row?.user;
}

/** Links an identity to a user; false when it is linked already (to anyone): the primary key decides. */
export async function linkIdentity(env: Env, identity: { connectionId: string; subject: string; userId: string; email: string | null }): Promise<boolean> {
  const result = await database(env).insert(userIdentities).values(identity).onConflictDoNothing().run();
  return result.meta.changes === 1;
}

/**
 * A new user signed up by an upstream, with the identity linked: one batch (one round trip, one
 * transaction). Undefined when the email has an account by now or the identity is linked already:
 * then neither row is written.
 */
export async function createFederatedUser(
  env: Env,
  user: { id: string; email: string; name: string | null; emailVerified: boolean; passwordHash: string },
  identity: { connectionId: string; subject: string; email: string | null },
): Promise<UserRow | undefined> {
  const db = database(env);
  try {
    const [inserted] = await db.batch([db.insert(users).values(user).returning(), db.insert(userIdentities).values({ ...identity, userId: user.id })]);
    return inserted[0];
  } catch {
    // A unique key refused it (the email or the identity): the batch rolled back.
    return undefined;
  }
}

export async function listIdentities(env: Env, userId: string): Promise<LinkedIdentity[]> {
  return database(env)
    .select({
      connectionId: userIdentities.connectionId,
      connection: connections.name,
      displayName: connections.displayName,
      subject: userIdentities.subject,
      email: userIdentities.email,
      createdAt: userIdentities.createdAt,
    })
    .from(userIdentities)
    .innerJoin(connections, eq(connections.id, userIdentities.connectionId))
    .where(eq(userIdentities.userId, userId))
    .orderBy(userIdentities.createdAt);
}

/** Unlinks one of the user's identities; false when the user has no such identity. */
export async function unlinkIdentity(env: Env, userId: string, connectionId: string, subject: string): Promise<boolean> {
  const deleted = await database(env)
    .delete(userIdentities)
    .where(and(eq(userIdentities.userId, userId), eq(userIdentities.connectionId, connectionId), eq(userIdentities.subject, subject)))
    .returning({ subject: userIdentities.subject })
    .get();
  return deleted !== undefined;
}

export const identityJson = (identity: LinkedIdentity) => ({
  connection: identity.connection,
  connection_id: identity.connectionId,
  subject: identity.subject,
  email: identity.email,
  created_at: identity.createdAt.toISOString(),
});
