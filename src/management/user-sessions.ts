import { Hono } from 'hono/tiny';
import { eq } from 'drizzle-orm';
import { database } from '../db/client';
import { users } from '../db/schema';
import { userStore } from '../durable-objects/user-store';
import { notFound } from '../errors/api-error';
import { requireScope, type ManagementEnv } from './authorize-management';
import { grantSummaryJson, sessionSummaryJson } from '../http/user-json';
import { idParam } from './validation';

/** The id of a user that exists, or 404. */
export async function existingUserId(env: Env, id: string): Promise<string> {
  const row = await database(env).select({ id: users.id }).from(users).where(eq(users.id, id)).get();
  if (!row) throw notFound('user');
  return row.id;
}

/**
 * A user's sessions and grants, from the user's object: list them, end one, or sign the user out
 * everywhere (every session ends, every refresh token stops working, and access tokens are refused
 * wherever edge-auth checks them).
 */
export const userSessionRoutes = new Hono<ManagementEnv>()
  .get('/:id/sessions', requireScope('read:users'), async (c) => {
    const userId = await existingUserId(c.env, idParam(c));
    return c.json({ items: (await userStore(c.env, userId).listSessions()).map(sessionSummaryJson) });
  })
  .delete('/:id/sessions/:sessionId', requireScope('update:users'), async (c) => {
    const userId = await existingUserId(c.env, idParam(c));
    if (!(await userStore(c.env, userId).revokeSession(c.req.param('sessionId') ?? ''))) throw notFound('session');
    c.var.audit({ event: 'management_change', actor: c.get('actor'), userId, detail: { resource: 'session', action: 'revoke' } });
    return c.body(null, 204);
  })
  .get('/:id/grants', requireScope('read:users'), async (c) => {
    const userId = await existingUserId(c.env, idParam(c));
    return c.json({ items: (await userStore(c.env, userId).listGrants()).map(grantSummaryJson) });
  })
  .delete('/:id/grants/:grantId', requireScope('update:users'), async (c) => {
    const userId = await existingUserId(c.env, idParam(c));
    const grantId = c.req.param('grantId') ?? '';
    if (!(await userStore(c.env, userId).revokeGrant(grantId))) throw notFound('grant');
    c.var.audit({ event: 'management_change', actor: c.get('actor'), userId, grantId, detail: { resource: 'grant', action: 'revoke' } });
    return c.body(null, 204);
  })
  .post('/:id/sign-out-everywhere', requireScope('update:users'), async (c) => {
    const userId = await existingUserId(c.env, idParam(c));
    const revoked = await userStore(c.env, userId).signOutEverywhere();
    c.var.audit({
      event: 'management_change',
      actor: c.get('actor'),
      userId,
      detail: { resource: 'user', action: 'sign_out_everywhere', sessions_ended: revoked.sessions, grants_revoked: revoked.grants },
    });
    return c.json({ sessions_ended: revoked.sessions, grants_revoked: revoked.grants });
  });
