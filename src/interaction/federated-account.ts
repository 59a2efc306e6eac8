import { hasPassword, noPasswordHash } from '../crypto/password';
import { randomToken } from '../crypto/random';
import { sha256Base64url } from '../crypto/hash';
import { createFederatedUser, findUserByIdentity } from '../db/identities';
import type { ConnectionRow, UserRow } from '../db/schema';
import { findUserByEmail, normalizeEmail } from '../db/users';
import type { AppContext } from '../http/context';
import type { UpstreamIdentity } from '../oauth/connection-presets';

/**
 * Who an upstream identity signs in (the linking rules, docs/operator-guide.md "Federation"):
 * - a linked identity signs in its user;
 * - an identity whose address has an account here is never linked silently: when the upstream
 *   says the address is verified, the person signs in to that account (its password) to link it;
 *   otherwise the sign-in is refused, since the upstream did not prove the address;
 * - any other identity creates a user without a password, linked to it. An address the upstream
 *   does not vouch for is not taken: the user gets a placeholder, so whoever owns the mailbox can
 *   still sign up with it, and a later password reset cannot merge into an account an upstream
 *   identity already holds (account pre-hijacking).
 */
export type FederatedUser =
  | { kind: 'user'; user: UserRow; created: boolean }
  | { kind: 'link'; user: UserRow }
  | { kind: 'refused'; problem: 'email_taken' | 'denied' };

/** A user without an address from the upstream still needs a unique one: a reserved `.invalid` name (RFC 2606). */
async function placeholderEmail(connection: ConnectionRow, subject: string): Promise<string> {
  return `${(await sha256Base64url(`${connection.id}\n${subject}`)).slice(0, 22).toLowerCase()}@${connection.name}.federated.invalid`;
}

export async function resolveFederatedUser(c: AppContext, connection: ConnectionRow, identity: UpstreamIdentity): Promise<FederatedUser> {
  const linked = await findUserByIdentity(c.env, connection.id, identity.subject);
  if (linked) return linked.blocked ? { kind: 'refused', problem: 'denied' } : { kind: 'user', user: linked, created: false };

  const existing = identity.email ? await findUserByEmail(c.env, identity.email) : undefined;
  if (existing) {
    if (identity.emailVerified && hasPassword(existing.passwordHash) && !existing.blocked) return { kind: 'link', user: existing };
    return { kind: 'refused', problem: 'email_taken' };
  }

  const vouched = identity.emailVerified ? identity.email : undefined;
  const email = vouched ?? (await placeholderEmail(connection, identity.subject));
  const user = await createFederatedUser(
    c.env,
    {
      id: `user_${randomToken(16)}`,
      email: normalizeEmail(email),
      name: identity.name ?? null,
      emailVerified: vouched !== undefined,
      passwordHash: noPasswordHash(c.var.config.passwordHashing),
    },
    { connectionId: connection.id, subject: identity.subject, email: identity.email ?? null },
  );
  // Another sign-in took the address or the identity in the meantime.
  return user ? { kind: 'user', user, created: true } : { kind: 'refused', problem: 'email_taken' };
}
