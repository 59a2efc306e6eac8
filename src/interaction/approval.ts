import { findClient } from '../db/registry';
import { pageRefusal } from '../errors/oauth-error';
import type { AppContext } from '../http/context';
import type { ApprovalResult, ConsentRequest } from '../oauth/account-record';
import { pendingRequestGone, type LoginRequest, type SignedInUser } from '../oauth/login-request';
import { setLoginRequestCookie } from './login-request-cookie';

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
