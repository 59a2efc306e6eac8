import { hashPassword } from '../crypto/password';
import { timingSafeEqual } from '../crypto/timing-safe';
import { findUserByEmail, findUserById, replacePassword } from '../db/users';
import { userStore } from '../durable-objects/user-store';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { accountMailLimited, TOO_MANY } from '../interaction/account-limits';
import { openResetLink, passwordBinding } from '../interaction/account-links';
import { resetLinkFor, sendResetMail } from '../interaction/account-mail';
import { checkFormOrigin } from '../interaction/form-origin';
import { newPasswordProblem } from '../interaction/new-password';
import { isEmailAddress } from '../oauth/email-address';
import { checkInboxPage, forgotPasswordPage, noticePage, resetPasswordPage } from '../views/account-pages';
import { renderPage } from '../views/page-response';

const LINK_USED = 'This link has expired, was already used, or your password changed since it was sent. Ask for a new one.';

/** GET /forgot: the form. It needs no pending request: a person may come from a mail or a bookmark. */
export function showForgotPassword(c: AppContext): Promise<Response> {
  return renderPage(c, 200, (nonce) => forgotPasswordPage({ nonce }));
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
  if (!isEmailAddress(email)) return renderPage(c, 400, (nonce) => forgotPasswordPage({ nonce, email: email.slice(0, 254), error: 'Enter a valid email address.' }));
  if (await accountMailLimited(c, email)) return renderPage(c, 429, (nonce) => forgotPasswordPage({ nonce, email, error: TOO_MANY }));

  const { config } = c.var;
  const user = await findUserByEmail(c.env, email);
  // Sealed for unknown addresses too, so both cases do the same work.
  const token = await resetLinkFor(c.env, user);
  if (user && !user.blocked) await sendResetMail({ env: c.env, config, defer: (promise) => c.executionCtx.waitUntil(promise) }, user, token);
  c.var.audit({ event: 'password_reset_requested', ...(user && { userId: user.id }), detail: { known: !!user } });
  return renderPage(c, 200, (nonce) => checkInboxPage({ nonce, email, what: 'reset' }));
}

/** The account a reset link may still change: it exists, is not blocked, and has the password the link was issued for. */
async function resetTarget(c: AppContext, token: string) {
  const link = await openResetLink(c.env, token);
  const user = link && (await findUserById(c.env, link.userId));
  if (!link || !user || user.blocked || !timingSafeEqual(await passwordBinding(user.passwordHash), link.passwordBinding)) return undefined;
  return user;
}

const linkUsed = (c: AppContext) => renderPage(c, 400, (nonce) => noticePage({ nonce, title: 'Link expired', message: LINK_USED }));

/** GET /reset: the new-password form, if the link still works. */
export async function showResetPassword(c: AppContext): Promise<Response> {
  const token = c.req.query('token') ?? '';
  if (!(await resetTarget(c, token))) return linkUsed(c);
  return renderPage(c, 200, (nonce) => resetPasswordPage({ nonce, token, minLength: c.var.config.passwordMinLength }));
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
  const user = await resetTarget(c, token);
  if (!user) return linkUsed(c);
  const { config } = c.var;
  // Checked whole (the body is at most 16 KiB): cutting it first could turn a long password into a shorter, accepted one.
  const password = form.get('password') ?? '';
  const problem = await newPasswordProblem(c, password, user.email);
  if (problem) return renderPage(c, 400, (nonce) => resetPasswordPage({ nonce, token, minLength: config.passwordMinLength, passwordProblem: problem }));

  const replaced = await replacePassword(c.env, user.id, user.passwordHash, await hashPassword(password, config.passwordHashing), true);
  if (!replaced) return linkUsed(c);
  const revoked = await userStore(c.env, user.id).signOutEverywhere();
  c.var.audit({ event: 'password_reset', actor: `user:${user.id}`, userId: user.id, detail: { ...revoked } });
  return renderPage(c, 200, (nonce) =>
    noticePage({ nonce, title: 'Your password was changed', message: 'You were signed out on every device. Return to the app and sign in with your new password.' }),
  );
}
