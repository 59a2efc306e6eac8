import { hasPassword } from '../crypto/password';
import { listIdentities, unlinkIdentity } from '../db/identities';
import type { AppContext } from '../http/context';
import { accountForm, accountWords, notSignedIn, renderAccount } from './account';

/**
 * POST /account/identities/unlink: the signed-in person removes a linked upstream account, unless
 * it is their only way to sign in (no password and no other identity). Origin-checked and on the
 * SameSite=Lax session, like every account form.
 */
export async function submitUnlinkIdentity(c: AppContext): Promise<Response> {
  const { account, form } = await accountForm(c);
  if (!account) return notSignedIn(c);
  const connectionId = form.get('connection_id') ?? '';
  const subject = form.get('subject') ?? '';
  const identities = await listIdentities(c.env, account.userId);
  const target = identities.find((identity) => identity.connectionId === connectionId && identity.subject === subject);
  if (!target) return c.redirect('/account', 303);
  if (!hasPassword(account.user.passwordHash) && identities.length <= 1) {
    return renderAccount(c, account, 400, { notice: { text: accountWords(c).identityIsLastWay, alert: true } });
  }
  if (await unlinkIdentity(c.env, account.userId, connectionId, subject)) {
    c.var.audit({ event: 'identity_unlinked', actor: `user:${account.userId}`, userId: account.userId, detail: { connection: target.connection } });
  }
  return c.redirect('/account?done=identity_unlinked', 303);
}
