import { desc, eq } from 'drizzle-orm';
import { database } from '../db/client';
import { auditEvents, users, type UserRow } from '../db/schema';
import { identityJson, listIdentities } from '../db/identities';
import { userStore } from '../durable-objects/user-store';
import { auditEventJson, grantSummaryJson, sessionSummaryJson, userJson } from '../http/user-json';

/** The export carries this many of the newest audit events about the user (GDPR article 15). */
export const EXPORTED_AUDIT_EVENTS = 200;

/**
 * Everything edge-auth keeps about the user, as JSON (GDPR articles 15 and 20): the profile, the
 * sessions, grants and consents from the user's object, and the recent audit events about them.
 * No hash or secret: the shapes are the Management API's. Passkeys are listed empty until
 * edge-auth has them, so the format does not change when it does.
 */
export async function exportAccountData(env: Env, user: UserRow) {
  const [stored, identities, events] = await Promise.all([
    userStore(env, user.id).exportAccount(),
    listIdentities(env, user.id),
    database(env).select().from(auditEvents).where(eq(auditEvents.userId, user.id)).orderBy(desc(auditEvents.at)).limit(EXPORTED_AUDIT_EVENTS),
  ]);
  return {
    exported_at: new Date().toISOString(),
    user: userJson(user),
    identities: identities.map(identityJson),
    passkeys: stored.passkeys,
    sessions: stored.sessions.map(sessionSummaryJson),
    grants: stored.grants.map(grantSummaryJson),
    consents: stored.consents.map((consent) => ({ client_id: consent.clientId, audience: consent.audience, scopes: consent.scopes })),
    audit_events: events.map(auditEventJson),
  };
}

/**
 * Deletes the account: the user's object first (sessions, grants with their refresh tokens,
 * consents, the sign-in lock), so no token of the user works anywhere edge-auth checks it, then
 * the D1 row (email, name, password hash). Both steps are idempotent: a failure between them is
 * mended by deleting again. Audit events keep the user id, which names no one once the row is
 * gone, until AUDIT_RETENTION_DAYS deletes them. False when there was no such user.
 */
export async function deleteAccount(env: Env, userId: string): Promise<boolean> {
  await userStore(env, userId).deleteAll();
  // Linked identities go with the row (their foreign key cascades), so an upstream sign-in cannot find it again.
  const deleted = await database(env).delete(users).where(eq(users.id, userId)).returning({ id: users.id }).get();
  return deleted !== undefined;
}
