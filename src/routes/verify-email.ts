import { markEmailVerified } from '../db/users';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { openVerifyLink } from '../interaction/account-links';
import { checkFormOrigin } from '../interaction/form-origin';
import { confirmEmailPage, noticePage } from '../views/account-pages';
import { renderPage } from '../views/page-response';

const LINK_USED = 'This link has expired or was already used, or the address of the account changed since it was sent.';
const linkUsed = (c: AppContext) => renderPage(c, 400, (nonce) => noticePage({ nonce, title: 'Link expired', message: LINK_USED }));

/** GET /verify-email: a page with a button, so a mail scanner that opens the link confirms nothing. */
export async function showVerifyEmail(c: AppContext): Promise<Response> {
  const token = c.req.query('token') ?? '';
  const link = await openVerifyLink(c.env, token);
  if (!link) return linkUsed(c);
  return renderPage(c, 200, (nonce) => confirmEmailPage({ nonce, token, email: link.email }));
}

/** POST /verify-email: `email_verified` becomes true, once, if the account still has the address. */
export async function submitVerifyEmail(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const link = await openVerifyLink(c.env, (await readForm(c)).get('token') ?? '');
  if (!link || !(await markEmailVerified(c.env, link.userId, link.email))) return linkUsed(c);
  c.var.audit({ event: 'email_verified', actor: `user:${link.userId}`, userId: link.userId });
  return renderPage(c, 200, (nonce) => noticePage({ nonce, title: 'Email confirmed', message: 'Thank you. You can close this window and return to the app.' }));
}
