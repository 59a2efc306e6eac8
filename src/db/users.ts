import { and, eq, sql } from 'drizzle-orm';
import { hashPassword, type PasswordHashing } from '../crypto/password';
import { database } from './client';
import type { Locale } from '../i18n/messages';
import { users, type UserRow } from './schema';

/** Emails are compared case-insensitively: stored and looked up in this form. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

export async function findUserByEmail(env: Env, email: string): Promise<UserRow | undefined> {
  return database(env).select().from(users).where(eq(users.email, normalizeEmail(email))).get();
}

export async function findUserById(env: Env, id: string): Promise<UserRow | undefined> {
  return database(env).select().from(users).where(eq(users.id, id)).get();
}

/** The person's language for their pages after sign-in and their mails (null: the browser's). */
export async function saveLocale(env: Env, id: string, locale: Locale): Promise<void> {
  await database(env).update(users).set({ locale, updatedAt: new Date() }).where(eq(users.id, id)).run();
}

/** Replaces a stored hash with one at the configured cost (after a successful sign-in proved the password). */
export async function updatePasswordHash(env: Env, id: string, password: string, hashing: PasswordHashing): Promise<void> {
  const passwordHash = await hashPassword(password, hashing);
  await database(env).update(users).set({ passwordHash }).where(eq(users.id, id)).run();
}

/** A confirmed sign-up, in the language it was made in (`locale`): the new user, or undefined when the address has an account by now. */
export async function createSignedUpUser(env: Env, user: { id: string; email: string; name: string | null; passwordHash: string; locale: Locale }): Promise<UserRow | undefined> {
  return database(env)
    .insert(users)
    .values({ ...user, email: normalizeEmail(user.email), emailVerified: true })
    .onConflictDoNothing({ target: users.email })
    .returning()
    .get();
}

/**
 * Replaces the password only if it is still `previousHash`: the check and the write are one
 * statement, so two uses of one reset link (or two changes at once) cannot both succeed. A reset
 * proves the mailbox, so then the address counts as verified.
 */
export async function replacePassword(env: Env, id: string, previousHash: string, passwordHash: string, provesMailbox: boolean): Promise<boolean> {
  const changed = await database(env)
    .update(users)
    .set({ passwordHash, ...(provesMailbox && { emailVerified: true }), updatedAt: new Date() })
    .where(and(eq(users.id, id), eq(users.passwordHash, previousHash)))
    .returning({ id: users.id })
    .get();
  return changed !== undefined;
}

/**
 * Moves the account to a confirmed new address, only while it still has the old one and no other
 * account has taken the new one (one statement, so no unique-constraint error to catch).
 */
export async function changeEmail(env: Env, id: string, from: string, to: string): Promise<boolean> {
  const changed = await database(env)
    .update(users)
    .set({ email: normalizeEmail(to), emailVerified: true, updatedAt: new Date() })
    .where(and(eq(users.id, id), eq(users.email, from), sql`not exists (select 1 from ${users} where ${users.email} = ${normalizeEmail(to)})`))
    .returning({ id: users.id })
    .get();
  return changed !== undefined;
}

/** Sets `email_verified` once, and only while the address is still the one the link was sent to. */
export async function markEmailVerified(env: Env, id: string, email: string): Promise<boolean> {
  const changed = await database(env)
    .update(users)
    .set({ emailVerified: true, updatedAt: new Date() })
    .where(and(eq(users.id, id), eq(users.email, email), eq(users.emailVerified, false)))
    .returning({ id: users.id })
    .get();
  return changed !== undefined;
}
