import { hashPassword, verifyPassword } from '../crypto/password';
import { timingSafeEqual } from '../crypto/timing-safe';
import { changeEmail, findUserByEmail, findUserById, normalizeEmail, replacePassword } from '../db/users';
import { userStore } from '../durable-objects/user-store';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { accountMailLimited } from '../interaction/account-limits';
import { openEmailChangeLink, passwordBinding, sealEmailChangeLink } from '../interaction/account-links';
import { resetLinkFor } from '../interaction/account-mail';
import { checkFormOrigin } from '../interaction/form-origin';
import { newPasswordProblem } from '../interaction/new-password';
import { pageLocale } from '../interaction/page-locale';
import { endSession } from '../interaction/session-cookie';
import { sendMail } from '../mail/outbox';
import { EMAIL_CHANGE_LINK_TTL_MS } from '../oauth/account-link';
import { isEmailAddress } from '../oauth/email-address';
import { noticePage } from '../views/account-pages';
import { confirmEmailChangePage } from '../views/account-settings-page';
import { accountExistsMail, confirmEmailChangeMail, emailChangeNoticeMail } from '../views/mail';
import { renderPage } from '../views/page-response';
import { accountForm, accountLocale, accountWords, notSignedIn, renderAccount, signedOutPage } from './account';

/**
 * POST /account/password: the current password first (the password hashing is the cost of a
 * guess, as at sign-in), then the new one replaces it only if the stored hash did not change in
 * between; every session ends and every grant is revoked, as after a reset.
 */
export async function submitPasswordChange(c: AppContext): Promise<Response> {
  const { account, form } = await accountForm(c);
  if (!account) return notSignedIn(c);
  const { user } = account;
  const { config } = c.var;
  const current = form.get('current_password') ?? '';
  const next = form.get('new_password') ?? '';
  if (!(await verifyPassword(current, user.passwordHash, config.passwordHashing))) {
    c.var.audit({ event: 'login_failed', actor: `user:${user.id}`, userId: user.id, detail: { reason: 'failed', page: 'account_password' } });
    return renderAccount(c, account, 401, { problem: { form: 'password', text: accountWords(c, user).wrongCurrentPassword } });
  }
  const problem = await newPasswordProblem(c, next, user.email, accountWords(c, user));
  if (problem) return renderAccount(c, account, 400, { problem: { form: 'password', text: problem } });
  if (!(await replacePassword(c.env, user.id, user.passwordHash, await hashPassword(next, config.passwordHashing), false))) {
    return renderAccount(c, account, 400, { problem: { form: 'password', text: accountWords(c, user).passwordChangedMeanwhile } });
  }
  const revoked = await userStore(c.env, user.id).signOutEverywhere();
  await endSession(c, undefined);
  c.var.audit({ event: 'password_changed', actor: `user:${user.id}`, userId: user.id, detail: { ...revoked } });
  return signedOutPage(c, user, 'noticePasswordChanged');
}

/**
 * POST /account/email: with the current password, a sealed link goes to the new address (or, if
 * it has an account, a mail that says so: the page is the same), and a notice to the old one. The
 * address changes only when the link is used.
 */
export async function submitEmailChange(c: AppContext): Promise<Response> {
  const { account, form } = await accountForm(c);
  if (!account) return notSignedIn(c);
  const { user } = account;
  const { config } = c.var;
  const to = normalizeEmail((form.get('new_email') ?? '').trim());
  const refuse = (status: 400 | 401 | 429, text: string) => renderAccount(c, account, status, { problem: { form: 'email', text }, newEmail: to.slice(0, 254) });
  if (!isEmailAddress(to)) return refuse(400, accountWords(c, user).invalidEmail);
  if (to === normalizeEmail(user.email)) return refuse(400, accountWords(c, user).alreadyYourAddress);
  if (!(await verifyPassword(form.get('current_password') ?? '', user.passwordHash, config.passwordHashing))) return refuse(401, accountWords(c, user).wrongCurrentPassword);
  if (await accountMailLimited(c, to)) return refuse(429, accountWords(c, user).tooManyAttempts);

  const brand = { appName: new URL(config.issuer).host, locale: accountLocale(c, user) };
  const defer = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  const taken = await findUserByEmail(c.env, to);
  if (taken) {
    sendMail(c.env, config, await accountExistsMail(taken.email, { ...brand, locale: taken.locale ?? brand.locale }, `${config.issuer}/reset?token=${await resetLinkFor(c.env, taken)}`), defer);
  } else {
    const link = { userId: user.id, from: user.email, to, passwordBinding: await passwordBinding(user.passwordHash), expiresAt: Date.now() + EMAIL_CHANGE_LINK_TTL_MS };
    const url = `${config.issuer}/account/email/confirm?token=${await sealEmailChangeLink(c.env, link)}`;
    sendMail(c.env, config, await confirmEmailChangeMail(to, brand, url, EMAIL_CHANGE_LINK_TTL_MS / 60_000), defer);
  }
  sendMail(c.env, config, await emailChangeNoticeMail(user.email, brand, to), defer);
  c.var.audit({ event: 'email_change_requested', actor: `user:${user.id}`, userId: user.id });
  return c.redirect('/account?done=email_sent', 303);
}

function linkUsed(c: AppContext): Promise<Response> {
  const t = accountWords(c);
  return renderPage(c, 400, (nonce) => noticePage({ nonce, title: t.linkExpired, message: t.emailChangeLinkUsed, locale: pageLocale(c, undefined) }));
}

/** GET /account/email/confirm: a page with a button, so a mail scanner that opens the link changes nothing. */
export async function showEmailChangeConfirm(c: AppContext): Promise<Response> {
  const token = c.req.query('token') ?? '';
  const link = await openEmailChangeLink(c.env, token);
  if (!link) return linkUsed(c);
  return renderPage(c, 200, (nonce) => confirmEmailChangePage({ nonce, token, to: link.to, locale: pageLocale(c, undefined) }));
}

/**
 * POST /account/email/confirm: the account moves to the new address, confirmed by the link, if it
 * still has the old address and the same password (a reset since cancels the change) and no other
 * account took the new one meanwhile.
 */
export async function submitEmailChangeConfirm(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const link = await openEmailChangeLink(c.env, (await readForm(c)).get('token') ?? '');
  const user = link && (await findUserById(c.env, link.userId));
  if (!link || !user || !timingSafeEqual(await passwordBinding(user.passwordHash), link.passwordBinding)) return linkUsed(c);
  if (!(await changeEmail(c.env, user.id, link.from, link.to))) return linkUsed(c);
  c.var.audit({ event: 'email_changed', actor: `user:${user.id}`, userId: user.id });
  return c.redirect('/account?done=email_changed', 303);
}
