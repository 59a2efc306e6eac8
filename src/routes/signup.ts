import { hashPassword } from '../crypto/password';
import { randomToken } from '../crypto/random';
import { timingSafeEqual } from '../crypto/timing-safe';
import { findClient } from '../http/find-client';
import { createSignedUpUser, findUserByEmail, normalizeEmail } from '../db/users';
import { localizedPageRefusal } from '../errors/oauth-error';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { accountMailLimited } from '../interaction/account-limits';
import { openSignupLink, sealSignupLink } from '../interaction/account-links';
import { resetLinkFor } from '../interaction/account-mail';
import { checkFormOrigin } from '../interaction/form-origin';
import { messagesFor, type Locale } from '../i18n/messages';
import { newPasswordProblem } from '../interaction/new-password';
import { pendingRequest, readLoginRequestCookie } from '../interaction/login-request-cookie';
import { pageLocale } from '../interaction/page-locale';
import { continueSignedIn, signInUser } from '../interaction/sign-in';
import { sendMail } from '../mail/outbox';
import { SIGNUP_LINK_TTL_MS } from '../oauth/account-link';
import { isEmailAddress } from '../oauth/email-address';
import { pendingRequestGone, type LoginRequest } from '../oauth/login-request';
import { checkInboxPage, confirmSignupPage, noticePage, signupPage, type PageBrand, type SignupPageProps } from '../views/account-pages';
import { accountExistsMail, confirmSignupMail } from '../views/mail';
import { renderPage } from '../views/page-response';

const MAX_NAME_LENGTH = 100;
/** The link's page, in the language of the browser that opened it. */
function linkUsed(c: AppContext, locale: Locale): Promise<Response> {
  const t = messagesFor(locale);
  return renderPage(c, 400, (nonce) => noticePage({ nonce, title: t.linkExpired, message: t.signupLinkUsed, locale }));
}

/** The client of the pending request, which must let people sign up (per-client `allow_signup`). */
async function signupClient(c: AppContext, request: LoginRequest): Promise<PageBrand> {
  const client = await findClient(c.env, request.clientId);
  if (!client?.allowSignup) throw localizedPageRefusal({ title: 'signupUnavailableTitle', description: 'signupUnavailable' }, 404);
  return { clientName: request.clientName, logoUri: client.logoUri, accent: client.primaryColor };
}

type FormState = Pick<SignupPageProps, 'email' | 'name' | 'error' | 'passwordProblem'>;

function signupForm(c: AppContext, request: LoginRequest, brand: PageBrand, status: 200 | 400 | 429, state: FormState = {}): Promise<Response> {
  return renderPage(c, status, (nonce) => signupPage({ nonce, ...brand, requestId: request.id, minLength: c.var.config.passwordMinLength, locale: request.locale, ...state }));
}

/** GET /signup: the form, for the pending authorization request of this browser. */
export async function showSignup(c: AppContext): Promise<Response> {
  const request = await pendingRequest(c);
  return signupForm(c, request, await signupClient(c, request), 200);
}

/**
 * POST /signup: nothing is stored yet. A new address gets a sealed link that creates the account
 * once opened; an address with an account gets a "you already have an account" mail. Both answer
 * with the same page, status and work (the password is hashed either way), so the form does not
 * tell who has an account.
 */
export async function submitSignup(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const request = await pendingRequest(c);
  if (!timingSafeEqual(form.get('request_id') ?? '', request.id)) throw pendingRequestGone();
  const brand = await signupClient(c, request);

  const email = (form.get('email') ?? '').trim();
  const name = (form.get('name') ?? '').trim().slice(0, MAX_NAME_LENGTH);
  // Checked whole (the body is at most 16 KiB): cutting it first could turn a long password into a shorter, accepted one.
  const password = form.get('password') ?? '';
  const { config } = c.var;
  if (!isEmailAddress(email)) return signupForm(c, request, brand, 400, { email: email.slice(0, 254), name, error: 'invalidEmail' });
  const problem = await newPasswordProblem(c, password, email, messagesFor(request.locale));
  if (problem) return signupForm(c, request, brand, 400, { email, name, passwordProblem: problem });
  if (await accountMailLimited(c, email)) return signupForm(c, request, brand, 429, { email, name, error: 'tooManyAttempts' });

  const [passwordHash, existing] = await Promise.all([hashPassword(password, config.passwordHashing), findUserByEmail(c.env, email)]);
  const mailBrand = { appName: brand.clientName, accent: brand.accent, locale: request.locale };
  const defer = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  if (existing) {
    const reset = await resetLinkFor(c.env, existing);
    sendMail(c.env, config, await accountExistsMail(existing.email, { ...mailBrand, locale: existing.locale ?? mailBrand.locale }, `${config.issuer}/reset?token=${reset}`), defer);
  } else {
    const link = { email: normalizeEmail(email), name: name || null, passwordHash, requestId: request.id, clientId: request.clientId, expiresAt: Date.now() + SIGNUP_LINK_TTL_MS };
    const token = await sealSignupLink(c.env, link);
    sendMail(c.env, config, await confirmSignupMail(link.email, mailBrand, `${config.issuer}/signup/confirm?token=${token}`, SIGNUP_LINK_TTL_MS / 3600_000), defer);
  }
  c.var.audit({ event: 'signup_requested', clientId: request.clientId, detail: { existing: !!existing } });
  return renderPage(c, 200, (nonce) => checkInboxPage({ nonce, email, brand, what: 'signup', locale: request.locale }));
}


async function brandOf(c: AppContext, clientId: string): Promise<PageBrand | undefined> {
  const client = await findClient(c.env, clientId);
  return client && { clientName: client.name, logoUri: client.logoUri, accent: client.primaryColor };
}

/** GET /signup/confirm: a page with a button, so a mail scanner that opens the link creates nothing. */
export async function showSignupConfirm(c: AppContext): Promise<Response> {
  const token = c.req.query('token') ?? '';
  const link = await openSignupLink(c.env, token);
  // Reading the pending request lets the page's form-action name the app, where the answer may redirect.
  const [brand, request] = await Promise.all([link && brandOf(c, link.clientId), readLoginRequestCookie(c)]);
  const locale = pageLocale(c, request);
  if (!link) return linkUsed(c, locale);
  return renderPage(c, 200, (nonce) => confirmSignupPage({ nonce, token, email: link.email, brand, locale }));
}

/**
 * POST /signup/confirm: creates the account (its email verified by the link), once: a second use
 * finds the address taken. In the browser that started the sign-up, the pending authorization
 * request continues signed in, without the password again.
 */
export async function submitSignupConfirm(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const [link, request] = await Promise.all([openSignupLink(c.env, form.get('token') ?? ''), readLoginRequestCookie(c)]);
  const locale = pageLocale(c, request);
  if (!link) return linkUsed(c, locale);
  const user = await createSignedUpUser(c.env, { id: `user_${randomToken(16)}`, email: link.email, name: link.name, passwordHash: link.passwordHash, locale });
  if (!user) return linkUsed(c, locale);
  c.var.audit({ event: 'signup_completed', actor: `user:${user.id}`, clientId: link.clientId, userId: user.id });

  if (request && timingSafeEqual(request.id, link.requestId)) {
    const signIn = await signInUser(c, request, user, true);
    if (signIn.result.outcome === 'succeeded') return continueSignedIn(c, request, user, { ...signIn, result: signIn.result });
  }
  const brand = await brandOf(c, link.clientId);
  const t = messagesFor(locale);
  return renderPage(c, 200, (nonce) => noticePage({ nonce, title: t.accountReady, message: t.returnAndSignIn(brand?.clientName ?? t.theApp), brand, locale }));
}
