import { findConsent } from '../db/consents';
import { findClient } from '../db/registry';
import { issueCode } from '../grants/authorization-code';
import type { AppContext } from '../http/context';
import { needsConsent } from '../oauth/consent';
import type { LoginRequest, SignedInUser } from '../oauth/login-request';
import { setLoginRequestCookie } from './login-request-cookie';

/** Whether this user must see the consent page before the client gets a code. */
export async function mustAskConsent(env: Env, request: LoginRequest, user: SignedInUser): Promise<boolean> {
  // Only the reads the decision needs: none for prompt=consent, none for a first-party app.
  const client = request.forceConsent ? undefined : await findClient(env, request.clientId);
  const requireConsent = client?.requireConsent ?? false;
  const allowed = requireConsent ? await findConsent(env, user.userId, request.clientId) : [];
  return needsConsent({ forceConsent: request.forceConsent, requireConsent, requested: request.scopes, allowed });
}

/**
 * The step after the user is known (by password or by session): a code for the app, or, for an
 * app that must ask, the consent page, with the request re-sealed as signed in. Returns where to
 * send the browser; the caller builds the response once every write has finished.
 */
export async function approve(c: AppContext, request: LoginRequest, user: SignedInUser): Promise<string> {
  if (await mustAskConsent(c.env, request, user)) {
    await setLoginRequestCookie(c, { ...request, authenticated: user });
    return '/consent';
  }
  return issueCode(c.env, request, user);
}
