import { findUserById } from '../db/users';
import { findClient } from '../http/find-client';
import { userStore } from '../durable-objects/user-store';
import { localizedPageRefusal, OAuthError } from '../errors/oauth-error';
import { mintCode } from '../grants/authorization-code';
import type { AppContext } from '../http/context';
import type { ApprovalResult, ConsentRequest } from '../oauth/account-record';
import { pendingRequestGone, type LoginRequest, type SignedInUser } from '../oauth/login-request';
import { sendVerifyMail } from './account-mail';
import { accountMailLimited } from './account-limits';
import { setLoginRequestCookie } from './login-request-cookie';
import type { SessionCookie } from './session-cookie';

/** What the request asks the user to allow, with the client's setting (from the isolate's cache). */
export async function consentRequestFor(env: Env, request: LoginRequest): Promise<ConsentRequest> {
  const client = await findClient(env, request.clientId);
  return {
    clientId: request.clientId,
    audience: request.audience,
    scopes: request.scopes,
    requireConsent: client?.requireConsent ?? false,
    forceConsent: request.forceConsent,
  };
}

/**
 * Whether the request must wait for the user to confirm their address (per-client
 * `require_verified_email`). The client comes from the isolate's cache; the user row is read only
 * for such a client, and only when the caller has not read it already.
 */
export async function mustVerifyEmail(env: Env, request: LoginRequest, userId: string, emailVerified?: boolean): Promise<boolean> {
  const client = await findClient(env, request.clientId);
  if (!client?.requireVerifiedEmail) return false;
  return !(emailVerified ?? (await findUserById(env, userId))?.emailVerified ?? false);
}

/** The pages a pending request may wait on, inside edge-auth: the request stays in its cookie. */
export const isWaitingPage = (location: string) => location === '/consent' || location === '/verify-email/pending' || location === SECOND_FACTOR_PAGE;

/** Where a request waits for its second factor (src/routes/second-factor.ts). */
export const SECOND_FACTOR_PAGE = '/login/second-factor';

/**
 * Where the browser goes after the user's object decided on an approved request: back to the app
 * with the code, or to the consent page with the request re-sealed as signed in. The caller builds
 * the response once every write has finished.
 */
export async function afterApproval(
  c: AppContext,
  request: LoginRequest,
  user: SignedInUser,
  result: ApprovalResult,
  codeLocation: string,
): Promise<string> {
  switch (result) {
    case 'code_issued':
      return codeLocation;
    case 'verification_required':
      await setLoginRequestCookie(c, { ...request, authenticated: user });
      await mailVerificationLink(c, user.userId, request);
      return '/verify-email/pending';
    case 'consent_required':
      await setLoginRequestCookie(c, { ...request, authenticated: user });
      return '/consent';
    case 'request_used':
      throw pendingRequestGone();
    case 'blocked':
      throw localizedPageRefusal({ title: 'signInRefused', description: 'accountCannotSignIn' }, 403);
  }
}

/** The link that lets the request go on, sent once on the way to the waiting page (within the mail limits). */
async function mailVerificationLink(c: AppContext, userId: string, request: LoginRequest): Promise<void> {
  const user = await findUserById(c.env, userId);
  if (!user || (await accountMailLimited(c, user.email))) return;
  await sendVerifyMail({ env: c.env, config: c.var.config, defer: (promise) => c.executionCtx.waitUntil(promise) }, user, undefined, request.locale);
  c.var.audit({ event: 'verification_mail_sent', actor: `user:${userId}`, userId, detail: { reason: 'required_by_client' } });
}

/**
 * Single sign-on (OIDC Core 3.1.2.3): one call to the user's object checks the browser's session
 * (and `max_age`) and, when it is live, approves the request. Undefined when the session is not
 * live: the person must sign in. Without a page (`prompt=none`), a request that needs consent is
 * refused (OIDC Core 3.1.2.6).
 */
export async function approveWithSession(
  c: AppContext,
  request: LoginRequest,
  session: SessionCookie,
  options: { maxAge: number | undefined; interactive: boolean; confirmed: boolean },
): Promise<string | undefined> {
  const [consent, verifyEmailFirst] = await Promise.all([consentRequestFor(c.env, request), mustVerifyEmail(c.env, request, session.userId)]);
  const minted = await mintCode(c.env, session.userId, request, consent, verifyEmailFirst);
  const approved = await userStore(c.env, session.userId).approveWithSession(
    session.userId,
    { id: session.sessionId, secretHash: session.secretHash, maxAge: options.maxAge },
    minted.approval,
  );
  if (!approved) return undefined;
  if ('stepUp' in approved) {
    // The session is one factor and the request needs two: a second step, bound to this request.
    if (!options.interactive) throw new OAuthError('interaction_required', 'The user must give a second factor.');
    const secondFactor = { userId: session.userId, amr: approved.amr, step: approved.stepUp, replacesSession: session.sessionId };
    await setLoginRequestCookie(c, { ...request, confirmSession: undefined, secondFactor });
    return SECOND_FACTOR_PAGE;
  }
  if (!options.interactive && approved.approval === 'consent_required') throw new OAuthError('consent_required', 'The user must consent.');
  if (!options.interactive && approved.approval === 'verification_required') throw new OAuthError('interaction_required', 'The user must confirm their email address.');
  const user = { userId: session.userId, authTime: approved.authTime, amr: approved.amr };
  const location = await afterApproval(c, request, user, approved.approval, minted.location);
  if (!isWaitingPage(location)) {
    const detail = { single_sign_on: true, confirmed: options.confirmed };
    c.var.audit({ event: 'code_issued', clientId: request.clientId, userId: user.userId, grantId: request.id, detail });
  }
  return location;
}
