import { findClient } from '../http/find-client';
import { userStore } from '../durable-objects/user-store';
import { OAuthError, pageRefusal } from '../errors/oauth-error';
import { mintCode } from '../grants/authorization-code';
import type { AppContext } from '../http/context';
import type { ApprovalResult, ConsentRequest } from '../oauth/account-record';
import { pendingRequestGone, type LoginRequest, type SignedInUser } from '../oauth/login-request';
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
    case 'consent_required':
      await setLoginRequestCookie(c, { ...request, authenticated: user });
      return '/consent';
    case 'request_used':
      throw pendingRequestGone();
    case 'blocked':
      throw pageRefusal('Sign-in refused', 'This account cannot sign in. Contact the app’s support.', 403);
  }
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
  const consent = await consentRequestFor(c.env, request);
  const minted = await mintCode(c.env, session.userId, request, consent);
  const approved = await userStore(c.env, session.userId).approveWithSession(
    session.userId,
    { id: session.sessionId, secretHash: session.secretHash, maxAge: options.maxAge },
    minted.approval,
  );
  if (!approved) return undefined;
  if (!options.interactive && approved.approval === 'consent_required') throw new OAuthError('consent_required', 'The user must consent.');
  const user = { userId: session.userId, authTime: approved.authTime };
  const location = await afterApproval(c, request, user, approved.approval, minted.location);
  if (location !== '/consent') {
    const detail = { single_sign_on: true, confirmed: options.confirmed };
    c.var.audit({ event: 'code_issued', clientId: request.clientId, userId: user.userId, grantId: request.id, detail });
  }
  return location;
}
