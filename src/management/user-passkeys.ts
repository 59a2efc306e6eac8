import { Hono } from 'hono/tiny';
import { userStore } from '../durable-objects/user-store';
import { notFound } from '../errors/api-error';
import { removeUserPasskey } from '../interaction/account-passkeys';
import { requireScope, type ManagementEnv } from './authorize-management';
import { existingUserId } from './user-sessions';
import { idParam } from './validation';

/**
 * A user's passkeys, from the user's object: list them (metadata only, never the public key) or
 * remove one (from the object and from the credential lookup), as the user can on /account.
 */
export const userPasskeyRoutes = new Hono<ManagementEnv>()
  .get('/:id/passkeys', requireScope('read:users'), async (c) => {
    const userId = await existingUserId(c.env, idParam(c));
    return c.json({ items: await userStore(c.env, userId).listPasskeys() });
  })
  .delete('/:id/passkeys/:credentialId', requireScope('update:users'), async (c) => {
    const userId = await existingUserId(c.env, idParam(c));
    const credentialId = c.req.param('credentialId') ?? '';
    if (!(await removeUserPasskey(c.env, userId, credentialId))) throw notFound('passkey');
    c.var.audit({ event: 'passkey_removed', actor: c.get('actor'), userId, detail: { credential: credentialId.slice(0, 16), by: 'management' } });
    return c.body(null, 204);
  });
