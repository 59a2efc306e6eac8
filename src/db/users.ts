import { eq } from 'drizzle-orm';
import { getConfig } from '../config';
import { database } from './client';
import { users, type UserRow } from './schema';
import { TtlCache } from './ttl-cache';

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

/**
 * Whether a user may still get tokens (exists and is not blocked), for single sign-on and
 * refreshes. Cached per isolate like clients (REGISTRY_CACHE_TTL_SECONDS): blocking a user takes
 * effect everywhere within that time, and a warm refresh reads no D1.
 */
const activeUsers = new TtlCache<boolean>(10_000);

export async function isUserActive(env: Env, id: string): Promise<boolean> {
  const cached = activeUsers.get(id);
  if (cached !== undefined) return cached;
  const user = await findUserById(env, id);
  const active = user !== undefined && !user.blocked;
  activeUsers.set(id, active, getConfig(env).registryCacheTtlSeconds * 1000);
  return active;
}

export function forgetCachedUser(id: string): void {
  activeUsers.delete(id);
}
