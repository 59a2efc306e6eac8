/**
 * What the worker stores, read and written directly, bypassing its endpoints: D1 rows a test file
 * needs of its own, and the state of the Durable Objects, changed as time would change it.
 */
import { runInDurableObject } from 'cloudflare:test';
import { PBKDF2_FAST } from './fixtures';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { hashPassword } from '../../src/crypto/password';
import { clearRegistryCache } from '../../src/db/registry';
import { userStore, type UserStore } from '../../src/durable-objects/user-store';
import type { AccountRecord, StoredGrant, StoredSession } from '../../src/oauth/account-record';
import type { GrantRecord } from '../../src/oauth/grant-record';

/** Accounts of a test file's own, hashed at 1,000 iterations so that logins are fast. */
export async function insertUsers(users: Record<string, string>): Promise<void> {
  const statements = await Promise.all(
    Object.entries(users).map(async ([email, password]) =>
      env.DB.prepare('INSERT OR IGNORE INTO users (id, email, name, email_verified, password_hash) VALUES (?, ?, ?, 1, ?)').bind(
        `user_${email.replace(/[^a-z0-9]/g, '_')}`,
        email,
        email.split('@')[0]!,
        await hashPassword(password, PBKDF2_FAST),
      ),
    ),
  );
  await env.DB.batch(statements);
}

/**
 * A client row of a test file's own, with the id and secret hash it chooses (the Management API,
 * management.ts `createClient`, picks them itself); cached rows are forgotten so it is seen at once.
 */
export async function insertClient(row: {
  id: string;
  type?: 'public' | 'confidential';
  secretHash?: string | null;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: string[];
  scopes?: string[];
}): Promise<void> {
  await env.DB.prepare(
    `INSERT OR IGNORE INTO clients (id, name, type, secret_hash, redirect_uris, post_logout_redirect_uris, grant_types, scopes, audiences)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, '["https://api.example.com"]')`,
  )
    .bind(
      row.id,
      row.id,
      row.type ?? 'public',
      row.secretHash ?? null,
      JSON.stringify(row.redirectUris),
      JSON.stringify(row.postLogoutRedirectUris ?? []),
      JSON.stringify(row.grantTypes ?? ['authorization_code', 'refresh_token']),
      JSON.stringify(row.scopes ?? ['openid', 'offline_access', 'read:items']),
    )
    .run();
  clearRegistryCache();
}

/** The default single sign-on session lifetime. */
export const SESSION_TTL_SECONDS = 7 * 86_400;

/** A session as the helpers name it: `<user id>.<session id>`, what the cookie's handle starts with. */
function sessionRef(ref: string): { userId: string; sessionId: string } {
  const [userId = '', sessionId = ''] = ref.split('.');
  return { userId, sessionId };
}

/** The user's object, with its account record read and written as time would change it. */
export function readAccount(userId: string): Promise<AccountRecord | undefined> {
  return runInDurableObject(userStore(env, userId), (_instance: UserStore, state) => state.storage.kv.get<AccountRecord>('account'));
}

export function readSession(ref: string): Promise<StoredSession | undefined> {
  const { userId, sessionId } = sessionRef(ref);
  return readAccount(userId).then((account) => account?.sessions[sessionId]);
}

/** Rewrites a stored session, as time would (no sleeping). */
export async function changeSession(ref: string, change: (stored: StoredSession) => StoredSession): Promise<StoredSession> {
  const { userId, sessionId } = sessionRef(ref);
  return runInDurableObject(userStore(env, userId), (_instance: UserStore, state) => {
    const account = state.storage.kv.get<AccountRecord>('account');
    const stored = account?.sessions[sessionId];
    expect(stored, 'a stored session').toBeDefined();
    const changed = change(stored!);
    state.storage.kv.put('account', { ...account!, sessions: { ...account!.sessions, [sessionId]: changed } });
    return changed;
  });
}

/** A grant as its user's object keeps it, changed as time would change it (or read when `change` is omitted). */
export function changeGrant(userId: string, grantId: string, change?: (record: GrantRecord) => GrantRecord): Promise<GrantRecord | undefined> {
  return runInDurableObject(userStore(env, userId), (_instance: UserStore, state) => {
    const stored = state.storage.kv.get<StoredGrant>(`grant:${grantId}`);
    if (!stored?.record || !change) return stored?.record;
    const changed = change(stored.record);
    state.storage.kv.put(`grant:${grantId}`, { ...stored, record: changed });
    return changed;
  });
}

/** The user and grant a code or refresh token points at: `<user id>.<grant id>.<secret>`. */
export function handleParts(handle: string): { userId: string; grantId: string } {
  const [userId = '', grantId = ''] = handle.split('.');
  return { userId, grantId };
}
