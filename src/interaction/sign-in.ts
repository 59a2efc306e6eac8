import { userStore } from '../durable-objects/user-store';
import { mintCode } from '../grants/authorization-code';
import type { AppContext } from '../http/context';
import type { ApprovalResult, SignInResult } from '../oauth/account-record';
import type { LoginRequest } from '../oauth/login-request';
import { afterApproval, consentRequestFor, isWaitingPage, mustVerifyEmail } from './approval';
import { clearLoginRequestCookie } from './login-request-cookie';
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
  const minted = await mintCode(c.env, userId, request, consent, verifyEmailFirst, amr);
  const result = await userStore(c.env, userId).signIn({
    accountKey: userId,
    passwordValid,
    user: { userId, session: { id: session.id, secretHash: session.secretHash, expiresAt: session.expiresAt }, approval: minted.approval },
  });
  return { result, codeLocation: minted.location, sessionHandle: session.handle };
}

/**
 * After a successful sign-in: the session cookie, the audit event, and the way back to the app
 * (or on to consent); returns to the app with 303 (RFC 6749 section 4.1.2, RFC 9207).
 */
export async function continueSignedIn(
  c: AppContext,
  request: LoginRequest,
  userId: string,
  signIn: UserSignIn & { result: { outcome: 'succeeded'; approval?: ApprovalResult | undefined } },
): Promise<Response> {
  setSessionCookie(c, { handle: signIn.sessionHandle });
  const signedIn = { userId, authTime: signIn.result.authTime };
  c.var.audit({ event: 'login_succeeded', actor: `user:${userId}`, clientId: request.clientId, userId, grantId: request.id });
  // signInUser always asks for an approval; without an answer the request is treated as spent.
  const location = await afterApproval(c, request, signedIn, signIn.result.approval ?? 'request_used', signIn.codeLocation);
  // Spent, unless it now waits for consent or a confirmed address (afterApproval re-sealed it).
  if (!isWaitingPage(location)) clearLoginRequestCookie(c);
  // 303: the app's redirect URI is fetched with GET whatever the form's method was.
  return redirectToApp(c, location, 303);
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
