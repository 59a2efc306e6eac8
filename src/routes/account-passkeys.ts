import type { AppContext } from '../http/context';
import { enrolPasskey, removeUserPasskey } from '../interaction/account-passkeys';
import { userStore } from '../durable-objects/user-store';
import { accountForm, accountWords, notSignedIn, renderAccount } from './account';

/** POST /account/passkeys: the account page's script posts the new credential as a form. */
export async function submitPasskeyEnrolment(c: AppContext): Promise<Response> {
  const { account, form } = await accountForm(c);
  if (!account) return notSignedIn(c);
  const enrolled = await enrolPasskey(c, account.userId, form.get('credential') ?? '', form.get('name') ?? '');
  if (!enrolled.added) {
    c.var.audit({ event: 'passkey_added', actor: `user:${account.userId}`, userId: account.userId, detail: { refused: enrolled.reason.slice(0, 64) } });
    return renderAccount(c, account, 400, { notice: { text: accountWords(c).passkeyNotAdded, alert: true } });
  }
  c.var.audit({ event: 'passkey_added', actor: `user:${account.userId}`, userId: account.userId, detail: { credential: enrolled.id.slice(0, 16) } });
  return c.redirect('/account?done=passkey_added#passkeys', 303);
}

/** POST /account/passkeys/rename: works without script. */
export async function submitPasskeyRename(c: AppContext): Promise<Response> {
  const { account, form } = await accountForm(c);
  if (!account) return notSignedIn(c);
  await userStore(c.env, account.userId).changePasskey(form.get('id') ?? '', form.get('name') ?? '');
  return c.redirect('/account?done=passkey_renamed#passkeys', 303);
}

/** POST /account/passkeys/remove: from the user's object and the credential lookup. */
export async function submitPasskeyRemoval(c: AppContext): Promise<Response> {
  const { account, form } = await accountForm(c);
  if (!account) return notSignedIn(c);
  const id = form.get('id') ?? '';
  if (await removeUserPasskey(c.env, account.userId, id)) {
    c.var.audit({ event: 'passkey_removed', actor: `user:${account.userId}`, userId: account.userId, detail: { credential: id.slice(0, 16), by: 'user' } });
  }
  return c.redirect('/account?done=passkey_removed#passkeys', 303);
}
