import { timingSafeEqual } from '../crypto/timing-safe';
import { findClient } from '../http/find-client';
import { findUserById, markEmailVerified } from '../db/users';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { accountMailLimited } from '../interaction/account-limits';
import { openVerifyLink } from '../interaction/account-links';
import { sendVerifyMailNow } from '../interaction/account-mail';
import { approveWithSession, isWaitingPage } from '../interaction/approval';
import { checkFormOrigin } from '../interaction/form-origin';
import { clearLoginRequestCookie, pendingRequest, readLoginRequestCookie } from '../interaction/login-request-cookie';
import { pageLocale } from '../interaction/page-locale';
import { redirectToApp } from '../interaction/redirect-to-app';
import { messagesFor, type Locale } from '../i18n/messages';
import { readSessionCookie } from '../interaction/session-cookie';
import { pendingRequestGone, type LoginRequest, type SignedInUser } from '../oauth/login-request';
import { confirmEmailPage, noticePage, verifyPendingPage, type VerifyPendingPageProps } from '../views/account-pages';
import { renderPage } from '../views/page-response';

function linkUsed(c: AppContext, locale: Locale): Promise<Response> {
  const t = messagesFor(locale);
  return renderPage(c, 400, (nonce) => noticePage({ nonce, title: t.linkExpired, message: t.verifyLinkUsed, locale }));
}

/** GET /verify-email: a page with a button, so a mail scanner that opens the link confirms nothing. */
export async function showVerifyEmail(c: AppContext): Promise<Response> {
  const token = c.req.query('token') ?? '';
  // Reading a waiting request lets the page's form-action name its app, where the answer may redirect.
  const [link, request] = await Promise.all([openVerifyLink(c.env, token), readLoginRequestCookie(c)]);
  const locale = pageLocale(c, request);
  if (!link) return linkUsed(c, locale);
  return renderPage(c, 200, (nonce) => confirmEmailPage({ nonce, token, email: link.email, locale }));
}

/**
 * POST /verify-email: `email_verified` becomes true, once, if the account still has the address.
 * In the browser whose sign-in waits for it, the request then goes on to the app.
 */
export async function submitVerifyEmail(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const token = (await readForm(c)).get('token') ?? '';
  const [link, request] = await Promise.all([openVerifyLink(c.env, token), readLoginRequestCookie(c)]);
  const locale = pageLocale(c, request);
  if (!link || !(await markEmailVerified(c.env, link.userId, link.email))) return linkUsed(c, locale);
  c.var.audit({ event: 'email_verified', actor: `user:${link.userId}`, userId: link.userId });
  if (request?.authenticated?.userId === link.userId) {
    const resumed = await resumeRequest(c, { ...request, authenticated: request.authenticated });
    if (resumed) return resumed;
  }
  const t = messagesFor(locale);
  return renderPage(c, 200, (nonce) => noticePage({ nonce, title: t.emailConfirmed, message: t.thankYouClose, locale }));
}

/** The request waiting for a confirmed address, and who signed in for it. */
async function waitingRequest(c: AppContext): Promise<LoginRequest & { authenticated: SignedInUser }> {
  const request = await pendingRequest(c);
  if (!request.authenticated) throw pendingRequestGone();
  return { ...request, authenticated: request.authenticated };
}

async function pendingPage(c: AppContext, request: LoginRequest & { authenticated: SignedInUser }, status: 200 | 429 | 503, notice?: VerifyPendingPageProps['notice']): Promise<Response> {
  const [user, client] = await Promise.all([findUserById(c.env, request.authenticated.userId), findClient(c.env, request.clientId)]);
  if (!user) throw pendingRequestGone();
  const brand = { clientName: request.clientName, logoUri: client?.logoUri, accent: client?.primaryColor };
  return renderPage(c, status, (nonce) => verifyPendingPage({ nonce, email: user.email, requestId: request.id, brand, notice, locale: request.locale }));
}

/** GET /verify-email/pending: "confirm your email", for a client with `require_verified_email`. */
export async function showVerifyPending(c: AppContext): Promise<Response> {
  return pendingPage(c, await waitingRequest(c), 200);
}

async function checkedForm(c: AppContext): Promise<LoginRequest & { authenticated: SignedInUser }> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const request = await waitingRequest(c);
  if (!timingSafeEqual(form.get('request_id') ?? '', request.id)) throw pendingRequestGone();
  return request;
}

/**
 * POST /verify-email/resend: within the mail limits, sent while the person waits, so a refused
 * send is said on the page. The person signed in for this request: nothing here is a secret.
 */
export async function submitVerifyResend(c: AppContext): Promise<Response> {
  const request = await checkedForm(c);
  const user = await findUserById(c.env, request.authenticated.userId);
  if (!user) throw pendingRequestGone();
  if (await accountMailLimited(c, user.email)) return pendingPage(c, request, 429, { text: 'tooManyAttempts', alert: true });
  const sent = await sendVerifyMailNow(c.env, c.var.config, user, request.clientName, request.locale);
  c.var.audit({ event: 'verification_mail_sent', actor: `user:${user.id}`, userId: user.id, detail: { reason: 'resend', delivered: sent } });
  if (!sent) return pendingPage(c, request, 503, { text: 'couldNotSend', alert: true });
  return pendingPage(c, request, 200, { text: 'sentAgain', alert: false });
}

/** POST /verify-email/continue: the session approves the request now, if the address is confirmed. */
export async function submitVerifyContinue(c: AppContext): Promise<Response> {
  const request = await checkedForm(c);
  return (await resumeRequest(c, request)) ?? c.redirect('/login?account=another', 303);
}

/**
 * Approves the waiting request with the browser's session, as single sign-on does; back on the
 * waiting page (with a note) while the address is still unconfirmed. Undefined when the session
 * ended: the person signs in again.
 */
async function resumeRequest(c: AppContext, request: LoginRequest & { authenticated: SignedInUser }): Promise<Response | undefined> {
  const session = await readSessionCookie(c);
  if (!session || session.userId !== request.authenticated.userId) return undefined;
  // Checked first, so pressing "continue" too early does not send another mail.
  if (!(await findUserById(c.env, session.userId))?.emailVerified) {
    return pendingPage(c, request, 200, { text: 'notConfirmedYet', alert: true });
  }
  const options = { maxAge: request.confirmSession?.maxAge, interactive: true, confirmed: true };
  const location = await approveWithSession(c, { ...request, authenticated: undefined }, session, options);
  if (!location) return undefined;
  if (!isWaitingPage(location)) clearLoginRequestCookie(c);
  return redirectToApp(c, location, 303);
}
