import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { and, eq } from 'drizzle-orm';
import * as v from 'valibot';
import { hashPassword } from '../crypto/password';
import { randomToken } from '../crypto/random';
import { database } from '../db/client';
import { users, type UserRow } from '../db/schema';
import { identityJson, listIdentities } from '../db/identities';
import { normalizeEmail } from '../db/users';
import { userStore } from '../durable-objects/user-store';
import { ApiError, notFound } from '../errors/api-error';
import { deleteAccount, exportAccountData } from '../interaction/account-data';
import { resetLinkFor, sendResetMail, sendVerifyMail, type MailContext } from '../interaction/account-mail';
import { conflictOnDuplicate } from './conflict';
import { requireScope, type ManagementEnv } from './authorize-management';
import { userJson } from '../http/user-json';
import { LOCALES } from '../i18n/messages';
import { listPage } from './list-page';
import { booleanQuery, idParam, parseBody } from './validation';

const email = v.pipe(v.string(), v.trim(), v.maxLength(254), v.email('must be an email address'));
/** Long enough to matter, short enough to bound the hashing work (NIST SP 800-63B 5.1.1). */
const password = v.pipe(v.string(), v.minLength(8, 'must be at least 8 characters'), v.maxLength(1024));
const displayName = v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(200)));
/** The person's language for their pages and mails; null: their browser's. */
const locale = v.nullable(v.picklist(LOCALES));

const CreateUser = v.strictObject({
  email,
  password,
  name: v.optional(displayName, null),
  email_verified: v.optional(v.boolean(), false),
  locale: v.optional(locale, null),
});
const UpdateUser = v.strictObject({
  password: v.optional(password),
  name: v.optional(displayName),
  locale: v.optional(locale),
  email_verified: v.optional(v.boolean()),
  blocked: v.optional(v.boolean()),
});

const mailContext = (c: Context<ManagementEnv>): MailContext => ({ env: c.env, config: c.var.config, defer: (promise) => c.executionCtx.waitUntil(promise) });

async function findUserRow(env: Env, id: string): Promise<UserRow> {
  const row = await database(env).select().from(users).where(eq(users.id, id)).get();
  if (!row) throw notFound('user');
  return row;
}

export const userRoutes = new Hono<ManagementEnv>()
  .get('/', requireScope('read:users'), async (c) => {
    // `?email_verified=false` lists the accounts whose address waits for confirmation.
    const byEmail = c.req.query('email');
    const verified = booleanQuery(c, 'email_verified');
    const where = and(
      byEmail === undefined ? undefined : eq(users.email, normalizeEmail(byEmail)),
      verified === undefined ? undefined : eq(users.emailVerified, verified),
    );
    const db = database(c.env);
    return listPage(
      c,
      (limit, offset) => db.select().from(users).where(where).orderBy(users.createdAt, users.id).limit(limit).offset(offset),
      () => db.$count(users, where),
      userJson,
    );
  })
  .post('/', requireScope('create:users'), async (c) => {
    const input = await parseBody(c, CreateUser);
    const db = database(c.env);
    const normalized = normalizeEmail(input.email);
    if (await db.select({ id: users.id }).from(users).where(eq(users.email, normalized)).get()) {
      throw new ApiError(409, 'conflict', 'A user with this email exists.');
    }
    const passwordHash = await hashPassword(input.password, c.var.config.passwordHashing);
    const row = await conflictOnDuplicate(
      db
        .insert(users)
        .values({ id: `user_${randomToken(16)}`, email: normalized, name: input.name, locale: input.locale, emailVerified: input.email_verified, passwordHash })
        .returning()
        .get(),
      'A user with this email exists.',
    );
    c.var.audit({ event: 'management_change', actor: c.get('actor'), userId: row.id, detail: { resource: 'user', action: 'create' } });
    return c.json(userJson(row), 201);
  })
  // The user with their linked upstream identities (connection and subject).
  .get('/:id', requireScope('read:users'), async (c) => {
    const [row, identities] = await Promise.all([findUserRow(c.env, idParam(c)), listIdentities(c.env, idParam(c))]);
    return c.json({ ...userJson(row), identities: identities.map(identityJson) });
  })
  .patch('/:id', requireScope('update:users'), async (c) => {
    const existing = await findUserRow(c.env, idParam(c));
    const input = await parseBody(c, UpdateUser);
    const row = await database(c.env)
      .update(users)
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.locale !== undefined && { locale: input.locale }),
        ...(input.email_verified !== undefined && { emailVerified: input.email_verified }),
        ...(input.blocked !== undefined && { blocked: input.blocked }),
        ...(input.password !== undefined && { passwordHash: await hashPassword(input.password, c.var.config.passwordHashing) }),
        updatedAt: new Date(),
      })
      .where(eq(users.id, existing.id))
      .returning()
      .get();
    // A new password or a block ends every session and revokes every grant; unblocking restores none.
    const store = userStore(c.env, existing.id);
    let revoked: { sessions: number; grants: number } | undefined;
    if (input.blocked === true) revoked = await store.setBlocked(true);
    else {
      if (input.blocked === false) await store.setBlocked(false);
      if (input.password !== undefined) revoked = await store.signOutEverywhere();
    }
    const action = input.blocked === true ? 'block' : input.blocked === false ? 'unblock' : 'update';
    const changed = Object.keys(input).join(',');
    c.var.audit({
      event: 'management_change',
      actor: c.get('actor'),
      userId: existing.id,
      detail: { resource: 'user', action, fields: changed, ...(revoked && { sessions_ended: revoked.sessions, grants_revoked: revoked.grants }) },
    });
    return c.json(userJson(row!));
  })
  // Account mail on an operator's request: the reset link, or a link that confirms the address.
  .post('/:id/password-reset-mail', requireScope('update:users'), async (c) => {
    const user = await findUserRow(c.env, idParam(c));
    if (user.blocked) throw new ApiError(409, 'conflict', 'The user is blocked: unblock them first.');
    await sendResetMail(mailContext(c), user, await resetLinkFor(c.env, user));
    c.var.audit({ event: 'management_change', actor: c.get('actor'), userId: user.id, detail: { resource: 'user', action: 'send_password_reset_mail' } });
    return c.json({ sent: true, kind: 'reset_password' }, 202);
  })
  .post('/:id/verification-mail', requireScope('update:users'), async (c) => {
    const user = await findUserRow(c.env, idParam(c));
    if (user.emailVerified) throw new ApiError(409, 'conflict', 'The email address is verified already.');
    await sendVerifyMail(mailContext(c), user);
    c.var.audit({ event: 'management_change', actor: c.get('actor'), userId: user.id, detail: { resource: 'user', action: 'send_verification_mail' } });
    return c.json({ sent: true, kind: 'verify_email' }, 202);
  })
  .delete('/:id', requireScope('delete:users'), async (c) => {
    const existing = await findUserRow(c.env, idParam(c));
    await deleteAccount(c.env, existing.id);
    c.var.audit({ event: 'account_deleted', actor: c.get('actor'), userId: existing.id, detail: { by: 'operator' } });
    return c.body(null, 204);
  })
  .get('/:id/export', requireScope('read:users'), async (c) => c.json(await exportAccountData(c.env, await findUserRow(c.env, idParam(c)))));
