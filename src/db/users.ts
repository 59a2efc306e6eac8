import { eq } from 'drizzle-orm';
import { hashPassword, type PasswordHashing } from '../crypto/password';
import { database } from './client';
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

/** Replaces a stored hash with one at the configured cost (after a successful sign-in proved the password). */
export async function updatePasswordHash(env: Env, id: string, password: string, hashing: PasswordHashing): Promise<void> {
  const passwordHash = await hashPassword(password, hashing);
  await database(env).update(users).set({ passwordHash }).where(eq(users.id, id)).run();
}
