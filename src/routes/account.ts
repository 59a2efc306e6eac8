import type { UserRow } from '../db/schema';
import { listIdentities } from '../db/identities';
import { findUserById, saveLocale } from '../db/users';
import { userStore } from '../durable-objects/user-store';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { accountMailLimited } from '../interaction/account-limits';
import { sendVerifyMailNow } from '../interaction/account-mail';
import { checkFormOrigin } from '../interaction/form-origin';
import { pageLocale } from '../interaction/page-locale';
import { isLocale, messagesFor, type Locale, type Messages, type TextKey } from '../i18n/messages';
import { MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH, signInWithPassword } from '../interaction/password-sign-in';
import { currentSession, endSession, setSessionCookie, type SessionCookie } from '../interaction/session-cookie';
import { signInToAccount } from '../interaction/sign-in';
import { accountSecondFactorPage } from '../interaction/account-second-factor';
import { accountPage, accountSignInPage, type AccountNotice, type AccountPageProps } from '../views/account-settings-page';
import { renderPage } from '../views/page-response';
import { passkeysOnPage } from '../interaction/account-passkeys';


/**
 * What the page says after an action, by a fixed code in `?done=`: nothing from the URL is
 * written on the page.
 */
const DONE: Record<string, TextKey> = {
  signed_in: 'noticeSignedIn',
  verification_sent: 'noticeVerificationSent',
  email_sent: 'noticeEmailSent',
  email_changed: 'noticeEmailChanged',
  language_saved: 'noticeLanguageSaved',
  two_step_on: 'noticeTwoStepOn',
  two_step_off: 'noticeTwoStepOff',
  identity_unlinked: 'noticeIdentityUnlinked',
  passkey_added: 'noticePasskeyAdded',
  passkey_renamed: 'noticePasskeyRenamed',
  passkey_removed: 'noticePasskeyRemoved',
};

/** The account pages have no pending request: the person's saved language decides, else the browser's Accept-Language. */
export const accountLocale = (c: AppContext, user?: UserRow): Locale => user?.locale ?? pageLocale(c, undefined);
export const accountWords = (c: AppContext, user?: UserRow): Messages => messagesFor(accountLocale(c, user));

export type SignedInAccount = SessionCookie & { user: UserRow; twoStep?: { recoveryCodesLeft: number } | undefined };

/** The browser's live session and its user (not blocked), or undefined: the sign-in form is due. */
export async function signedInAccount(c: AppContext): Promise<SignedInAccount | undefined> {
  const session = await currentSession(c);
  const user = session && (await findUserById(c.env, session.userId));
  return session && user && !user.blocked ? { ...session, user } : undefined;
}

export async function renderAccount(c: AppContext, account: SignedInAccount, status: 200 | 400 | 401 | 429 | 503, extra: Partial<AccountPageProps> = {}): Promise<Response> {
  const { user } = account;
  const [identities, passkeys] = await Promise.all([listIdentities(c.env, user.id), passkeysOnPage(c, account)]);
  return renderPage(c, status, (nonce) =>
    accountPage({
      nonce, email: user.email, emailVerified: user.emailVerified, name: user.name, minLength: c.var.config.passwordMinLength,
      auditRetentionDays: c.var.config.auditRetentionDays, locale: accountLocale(c, user), savedLocale: user.locale, twoStep: account.twoStep, identities, passkeys, ...extra,
    }),
  );
}

const signInForm = (c: AppContext, status: 200 | 400 | 401, email?: string, notice?: AccountNotice, locale = accountLocale(c)) =>
  renderPage(c, status, (nonce) => accountSignInPage({ nonce, email, notice, locale }));

/** After a change that ended every session: the sign-in form, saying why, in the person's language. */
export function signedOutPage(c: AppContext, user: UserRow | undefined, why: TextKey): Promise<Response> {
  const locale = accountLocale(c, user);
  return signInForm(c, 200, undefined, { text: messagesFor(locale)[why], alert: false }, locale);
}

/** GET /account: the settings of the signed-in person, or the form to sign in. */
export async function showAccount(c: AppContext): Promise<Response> {
  const account = await signedInAccount(c);
  if (!account) return signInForm(c, 200);
  const done = c.req.query('done') ?? '';
  return renderAccount(c, account, 200, { notice: Object.hasOwn(DONE, done) ? { text: accountWords(c, account.user)[DONE[done]!], alert: false } : undefined });
}

/** POST /account/language: the person's language, saved on their row (the page and their mails follow it). */
export async function submitAccountLanguage(c: AppContext): Promise<Response> {
  const { account, form } = await accountForm(c);
  if (!account) return signInForm(c, 200);
  const locale = form.get('locale') ?? '';
  if (!isLocale(locale)) return renderAccount(c, account, 400);
  await saveLocale(c.env, account.userId, locale);
  c.var.audit({ event: 'language_saved', actor: `user:${account.userId}`, userId: account.userId, detail: { locale } });
  return c.redirect('/account?done=language_saved', 303);
}

/**
 * POST /account/sign-in: the login form's password check, lock and limits, opening a session
 * that issues no code. The answer never says which part was wrong.
 */
export async function submitAccountSignIn(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const email = form.get('email') ?? '';
  const password = form.get('password') ?? '';
  if (email === '' || password === '' || email.length > MAX_EMAIL_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    return signInForm(c, 400, email.slice(0, MAX_EMAIL_LENGTH), { text: accountWords(c).loginIncomplete, alert: true });
  }
  const attempt = await signInWithPassword(c, email, password, (user, valid) => signInToAccount(c, user.id, valid));
  if (!attempt.signedIn) {
    const { reason, account, network } = attempt;
    c.var.audit({ event: 'login_failed', detail: { reason, account, network, page: 'account' } });
    return signInForm(c, 401, email, { text: accountWords(c).loginFailed, alert: true });
  }
  // A user with an authenticator app gives its code before the session opens.
  if (attempt.result.outcome === 'second_factor') return accountSecondFactorPage(c, attempt.user.id, 200);
  setSessionCookie(c, { handle: attempt.outcome.sessionHandle });
  c.var.audit({ event: 'login_succeeded', actor: `user:${attempt.user.id}`, userId: attempt.user.id, detail: { page: 'account' } });
  return c.redirect('/account?done=signed_in', 303);
}

/** POST /account/sign-out: ends this browser's session only. */
export async function submitAccountSignOut(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const account = await signedInAccount(c);
  await endSession(c, account);
  if (account) c.var.audit({ event: 'session_ended', actor: `user:${account.userId}`, userId: account.userId, detail: { page: 'account' } });
  return signedOutPage(c, account?.user, 'noticeSignedOutHere');
}

/** POST /account/sign-out-everywhere: every session ends and every grant is revoked, as a password reset does. */
export async function submitSignOutEverywhere(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const account = await signedInAccount(c);
  if (!account) return signInForm(c, 200);
  const revoked = await userStore(c.env, account.userId).signOutEverywhere();
  await endSession(c, undefined);
  c.var.audit({ event: 'signed_out_everywhere', actor: `user:${account.userId}`, userId: account.userId, detail: { ...revoked } });
  return signedOutPage(c, account.user, 'noticeSignedOutEverywhere');
}

/**
 * POST /account/verification-mail: sent while the person waits, so a refused send is said on the
 * page; limited per network and address like every account mail.
 */
export async function submitAccountVerificationMail(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const account = await signedInAccount(c);
  if (!account) return signInForm(c, 200);
  if (account.user.emailVerified) return c.redirect('/account', 303);
  if (await accountMailLimited(c, account.user.email)) return renderAccount(c, account, 429, { notice: { text: accountWords(c, account.user).tooManyAttempts, alert: true } });
  const sent = await sendVerifyMailNow(c.env, c.var.config, account.user, undefined, accountLocale(c, account.user));
  c.var.audit({ event: 'verification_mail_sent', actor: `user:${account.userId}`, userId: account.userId, detail: { reason: 'account_page', delivered: sent } });
  if (!sent) return renderAccount(c, account, 503, { notice: { text: accountWords(c, account.user).couldNotSend, alert: true } });
  return c.redirect('/account?done=verification_sent', 303);
}

/** The form fields every change reads; the caller checks their rules. */
export async function accountForm(c: AppContext): Promise<{ account: SignedInAccount | undefined; form: Map<string, string> }> {
  checkFormOrigin(c);
  const form = await readForm(c);
  return { account: await signedInAccount(c), form };
}

/** The answer to a form sent without a session: the sign-in form. */
export const notSignedIn = (c: AppContext) => signInForm(c, 200, undefined, { text: accountWords(c).sessionEnded, alert: true });
