import { hashPassword } from '../crypto/password';
import { timingSafeEqual } from '../crypto/timing-safe';
import { findUserByEmail, findUserById, replacePassword } from '../db/users';
import { userStore } from '../durable-objects/user-store';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { accountMailLimited } from '../interaction/account-limits';
import { openResetLink, passwordBinding } from '../interaction/account-links';
import { resetLinkFor, sendResetMail } from '../interaction/account-mail';
import { checkFormOrigin } from '../interaction/form-origin';
import { newPasswordProblem } from '../interaction/new-password';
import { browserLocale } from '../interaction/page-locale';
import { messagesFor, type Locale } from '../i18n/messages';
import { isEmailAddress } from '../oauth/email-address';
import { checkInboxPage, forgotPasswordPage, noticePage, resetPasswordPage } from '../views/account-pages';
import { renderPage } from '../views/page-response';

/** GET /forgot: the form. It needs no pending request: a person may come from a mail or a bookmark. */
export async function showForgotPassword(c: AppContext): Promise<Response> {
  const locale = await browserLocale(c);
  return renderPage(c, 200, (nonce) => forgotPasswordPage({ nonce, locale }));
}

/**
 * POST /forgot: the same page, status and work whether or not the address has an account (the
 * link is sealed either way, the mail leaves after the response); only an account that can sign
 * in gets the mail.
 */
export async function submitForgotPassword(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const email = (form.get('email') ?? '').trim();
  const locale = await browserLocale(c);
  if (!isEmailAddress(email)) return renderPage(c, 400, (nonce) => forgotPasswordPage({ nonce, email: email.slice(0, 254), error: 'invalidEmail', locale }));
  if (await accountMailLimited(c, email)) return renderPage(c, 429, (nonce) => forgotPasswordPage({ nonce, email, error: 'tooManyAttempts', locale }));

  const { config } = c.var;
  const user = await findUserByEmail(c.env, email);
  // Sealed for unknown addresses too, so both cases do the same work.
  const token = await resetLinkFor(c.env, user);
  if (user && !user.blocked) await sendResetMail({ env: c.env, config, defer: (promise) => c.executionCtx.waitUntil(promise) }, user, token, locale);
  c.var.audit({ event: 'password_reset_requested', ...(user && { userId: user.id }), detail: { known: !!user } });
  return renderPage(c, 200, (nonce) => checkInboxPage({ nonce, email, what: 'reset', locale }));
}

/** The account a reset link may still change: it exists, is not blocked, and has the password the link was issued for. */
async function resetTarget(c: AppContext, token: string) {
  const link = await openResetLink(c.env, token);
  const user = link && (await findUserById(c.env, link.userId));
  if (!link || !user || user.blocked || !timingSafeEqual(await passwordBinding(user.passwordHash), link.passwordBinding)) return undefined;
  return user;
}

function linkUsed(c: AppContext, locale: Locale): Promise<Response> {
  const t = messagesFor(locale);
  return renderPage(c, 400, (nonce) => noticePage({ nonce, title: t.linkExpired, message: t.resetLinkUsed, locale }));
}

/** GET /reset: the new-password form, if the link still works. */
export async function showResetPassword(c: AppContext): Promise<Response> {
  const token = c.req.query('token') ?? '';
  const [user, locale] = await Promise.all([resetTarget(c, token), browserLocale(c)]);
  if (!user) return linkUsed(c, locale);
  return renderPage(c, 200, (nonce) => resetPasswordPage({ nonce, token, minLength: c.var.config.passwordMinLength, locale }));
}

/**
 * POST /reset: the new password replaces the one the link was issued for (one conditional write,
 * so the link works once), then the user's object ends every session and revokes every grant,
 * as a password change by an operator does.
 */
export async function submitResetPassword(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const token = form.get('token') ?? '';
  const [user, locale] = await Promise.all([resetTarget(c, token), browserLocale(c)]);
  if (!user) return linkUsed(c, locale);
  const { config } = c.var;
  // Checked whole (the body is at most 16 KiB): cutting it first could turn a long password into a shorter, accepted one.
  const password = form.get('password') ?? '';
  const problem = await newPasswordProblem(c, password, user.email, messagesFor(locale));
  if (problem) return renderPage(c, 400, (nonce) => resetPasswordPage({ nonce, token, minLength: config.passwordMinLength, passwordProblem: problem, locale }));

  const replaced = await replacePassword(c.env, user.id, user.passwordHash, await hashPassword(password, config.passwordHashing), true);
  if (!replaced) return linkUsed(c, locale);
  const revoked = await userStore(c.env, user.id).signOutEverywhere();
  c.var.audit({ event: 'password_reset', actor: `user:${user.id}`, userId: user.id, detail: { ...revoked } });
  const t = messagesFor(locale);
  return renderPage(c, 200, (nonce) => noticePage({ nonce, title: t.passwordChanged, message: t.signedOutEverywhere, locale }));
}
