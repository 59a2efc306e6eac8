import type { Context } from 'hono';
import { findConsent } from '../db/consents';
import { findClient } from '../db/registry';
import type { LoginRequest } from '../oauth/login-request';
import { issueCode } from './authorization-response';
import { setLoginRequestCookie } from './login-request-cookie';

type AppContext = Context<{ Bindings: Env }>;

export interface SignedInUser {
  userId: string;
  authTime: number;
}

/** Whether the user must see the consent page before this client gets a code. */
export async function needsConsent(env: Env, request: LoginRequest, user: SignedInUser): Promise<boolean> {
  if (request.forceConsent) return true;
  const client = await findClient(env, request.clientId);
  if (!client?.requireConsent) return false;
  const allowed = await findConsent(env, user.userId, request.clientId);
  return !request.scopes.every((scope) => allowed.includes(scope));
}

/**
 * The step after the user is known (by password or by session): a code for the app, or, for an
 * app that must ask, the consent page, with the request re-sealed as signed in. Returns where to
 * send the browser; the caller builds the response once every write has finished.
 */
export async function approve(c: AppContext, request: LoginRequest, user: SignedInUser): Promise<string> {
  if (await needsConsent(c.env, request, user)) {
    await setLoginRequestCookie(c, { ...request, authenticated: user });
    return '/consent';
  }
  return issueCode(c, request, user);
}
