import { verifyPassword } from '../crypto/password';
import { NO_STORE } from '../errors/no-store';
import { OAuthError } from '../errors/oauth-error';
import { bearerError, requireAccessToken } from '../http/bearer-token';
import type { AppContext } from '../http/context';
import { deleteAccount, exportAccountData } from '../interaction/account-data';
import { endSession } from '../interaction/session-cookie';
import { DELETE_ACCOUNT_SCOPE } from '../oauth/scope';
import { noticePage } from '../views/account-pages';
import { renderPage } from '../views/page-response';
import { accountForm, accountLocale, accountWords, notSignedIn, renderAccount, signedInAccount } from './account';
import { messagesFor } from '../i18n/messages';

/**
 * How recent the sign-in behind a deletion token must be: the app asks for a fresh one
 * (`prompt=login` or `max_age`) before it deletes, as the account page asks for the password.
 */
export const DELETION_MAX_AGE_SECONDS = 600;

/** POST /account/delete: with the current password, the account and everything of it is deleted. */
export async function submitAccountDeletion(c: AppContext): Promise<Response> {
  const { account, form } = await accountForm(c);
  if (!account) return notSignedIn(c);
  if (!(await verifyPassword(form.get('current_password') ?? '', account.user.passwordHash, c.var.config.passwordHashing))) {
    return renderAccount(c, account, 401, { problem: { form: 'delete', text: accountWords(c, account.user).wrongCurrentPassword } });
  }
  await deleteAccount(c.env, account.userId);
  await endSession(c, undefined);
  c.var.audit({ event: 'account_deleted', actor: `user:${account.userId}`, userId: account.userId, detail: { by: 'user', via: 'account_page' } });
  const locale = accountLocale(c, account.user);
  const t = messagesFor(locale);
  return renderPage(c, 200, (nonce) => noticePage({ nonce, title: t.accountDeleted, message: t.accountDeletedNote, locale }));
}

/** GET /account/export: the signed-in person's data, as a JSON download. */
export async function downloadAccountData(c: AppContext): Promise<Response> {
  const account = await signedInAccount(c);
  if (!account) return notSignedIn(c);
  const data = await exportAccountData(c.env, account.user);
  return c.json(data, 200, { ...NO_STORE, 'Content-Disposition': 'attachment; filename="edge-auth-account.json"' });
}

/**
 * DELETE /account: a first-party app deletes its user's account (App Store Review Guideline
 * 5.1.1(v)) with an access token that has the `delete:account` scope and a sign-in at most
 * DELETION_MAX_AGE_SECONDS old; an older one gets RFC 9470's `insufficient_user_authentication`.
 */
export async function deleteAccountByToken(c: AppContext): Promise<Response> {
  const claims = await requireAccessToken(c);
  if (!claims.scope.split(' ').includes(DELETE_ACCOUNT_SCOPE)) throw bearerError('insufficient_scope', `The access token lacks the ${DELETE_ACCOUNT_SCOPE} scope.`);
  if (claims.auth_time === undefined || Date.now() / 1000 - claims.auth_time > DELETION_MAX_AGE_SECONDS) {
    const description = `The user must have signed in within ${DELETION_MAX_AGE_SECONDS} seconds: sign in again with max_age=0, then retry.`;
    throw new OAuthError('insufficient_user_authentication', description, {
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer error="insufficient_user_authentication", error_description="${description}", max_age=${DELETION_MAX_AGE_SECONDS}` },
    });
  }
  await deleteAccount(c.env, claims.sub);
  c.var.audit({ event: 'account_deleted', actor: `user:${claims.sub}`, clientId: claims.client_id, userId: claims.sub, detail: { by: 'user', via: 'api' } });
  return c.body(null, 204, NO_STORE);
}
