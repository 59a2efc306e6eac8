import { userStore } from '../durable-objects/user-store';
import { mintCode } from '../grants/authorization-code';
import type { AppContext } from '../http/context';
import type { ApprovalResult, SignInResult } from '../oauth/account-record';
import type { LoginRequest } from '../oauth/login-request';
import { withSavedLocale } from './page-locale';
import type { Locale } from '../i18n/messages';
import { PASSWORD_AMR } from '../oauth/authentication-methods';
import { afterApproval, consentRequestFor, isWaitingPage, mustVerifyEmail, SECOND_FACTOR_PAGE } from './approval';
import { clearLoginRequestCookie, setLoginRequestCookie } from './login-request-cookie';
import { redirectToApp } from './redirect-to-app';
import { newSession, setSessionCookie } from './session-cookie';

/** What one call to the user's object decided, and what the browser gets if it succeeded. */
export interface UserSignIn {
  result: SignInResult;
  codeLocation: string;
  sessionHandle: string;
}

/**
 * One call to the user's object decides everything that must happen in order: the lock, the
 * session, the code or the consent step. Used by the sign-in form and by a confirmed sign-up.
 */
export async function signInUser(
  c: AppContext,
  request: LoginRequest,
  user: { id: string; emailVerified: boolean },
  passwordValid: boolean,
  /** How the person signed in (RFC 8176), for the ID token: `['fed']` after an upstream. */
  amr?: readonly string[],
): Promise<UserSignIn> {
  const userId = user.id;
  const [session, consent, verifyEmailFirst] = await Promise.all([
    newSession(c, userId),
    consentRequestFor(c.env, request),
    mustVerifyEmail(c.env, request, userId, user.emailVerified),
  ]);
  const minted = await mintCode(c.env, userId, request, consent, verifyEmailFirst);
  const result = await userStore(c.env, userId).signIn({
    accountKey: userId,
    passwordValid,
    // The session keeps the methods, so later codes of single sign-on carry them too.
    user: { userId, session: { id: session.id, secretHash: session.secretHash, expiresAt: session.expiresAt }, approval: minted.approval, ...(amr && { amr: [...amr] }) },
  });
  return { result, codeLocation: minted.location, sessionHandle: session.handle };
}

/**
 * After a successful sign-in: the session cookie, the audit event, and the way back to the app
 * (or on to consent); returns to the app with 303 (RFC 6749 section 4.1.2, RFC 9207).
 */
export async function continueSignedIn(
  c: AppContext,
  flow: LoginRequest,
  user: { id: string; locale: Locale | null },
  signIn: UserSignIn & { result: { outcome: 'succeeded'; approval?: ApprovalResult | undefined } },
): Promise<Response> {
  const userId = user.id;
  // The consent or confirmation page that may follow speaks the person's saved language.
  const request = withSavedLocale(flow, user.locale);
  setSessionCookie(c, { handle: signIn.sessionHandle });
  const signedIn = { userId, authTime: signIn.result.authTime, amr: signIn.result.amr };
  c.var.audit({ event: 'login_succeeded', actor: `user:${userId}`, clientId: request.clientId, userId, grantId: request.id });
  // signInUser always asks for an approval; without an answer the request is treated as spent.
  const location = await afterApproval(c, request, signedIn, signIn.result.approval ?? 'request_used', signIn.codeLocation);
  // Spent, unless it now waits for consent or a confirmed address (afterApproval re-sealed it).
  if (!isWaitingPage(location)) clearLoginRequestCookie(c);
  // 303: the app's redirect URI is fetched with GET whatever the form's method was.
  return redirectToApp(c, location, 303);
}

/**
 * The password was right and a second factor is due: no session yet; the request, sealed again
 * with who gave the first factor, waits on the second-factor page.
 */
export async function awaitSecondFactor(
  c: AppContext,
  flow: LoginRequest,
  user: { id: string; locale: Locale | null },
  step: 'challenge' | 'enrol',
  amr: readonly string[] = PASSWORD_AMR,
): Promise<Response> {
  const userId = user.id;
  // The person is known from here on: the second step speaks their saved language too.
  const request = withSavedLocale(flow, user.locale);
  await setLoginRequestCookie(c, { ...request, confirmSession: undefined, secondFactor: { userId, amr: [...amr], step } });
  c.var.audit({ event: 'second_factor_required', actor: `user:${userId}`, clientId: request.clientId, userId, grantId: request.id, detail: { step } });
  return c.redirect(SECOND_FACTOR_PAGE, 303);
}

/** A sign-in to the account page: the same lock, and a new session, but no code. */
export async function signInToAccount(c: AppContext, userId: string, passwordValid: boolean): Promise<{ result: SignInResult; sessionHandle: string }> {
  const session = await newSession(c, userId);
  const result = await userStore(c.env, userId).signIn({
    accountKey: userId,
    passwordValid,
    user: { userId, session: { id: session.id, secretHash: session.secretHash, expiresAt: session.expiresAt } },
  });
  return { result, sessionHandle: session.handle };
}
