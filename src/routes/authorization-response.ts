import type { Context } from 'hono';
import { getConfig } from '../config';
import { sha256Base64url } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { grantStore } from '../durable-objects/grant-store';
import { PageError } from '../errors/oauth-error';
import { encodeHandle } from '../oauth/grant-handle';
import type { AuthorizationGrant } from '../oauth/grant-record';
import type { LoginRequest } from '../oauth/login-request';
import { withQuery } from '../oauth/redirect-uri';

type AppContext = Context<{ Bindings: Env }>;

export const requestAlreadyUsed = () =>
  new PageError('Sign-in session expired', 'This sign-in page has expired or was already used. Return to the app and start again.');

/**
 * Issues the code for an authorization request the user has approved and returns the app's
 * redirect URI with the response (RFC 6749 section 4.1.2, `iss` from RFC 9207). The code lives in
 * the grant's own Durable Object, named by the request id; a request gets one code, ever.
 */
export async function issueCode(
  c: AppContext,
  request: Omit<LoginRequest, 'clientName'>,
  user: { userId: string; authTime: number },
): Promise<string> {
  const config = getConfig(c.env);
  const code = encodeHandle(request.id, randomToken(32));
  const grant: AuthorizationGrant = {
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    scopes: request.scopes,
    audience: request.audience,
    userId: user.userId,
    nonce: request.nonce,
    authTime: user.authTime,
    expiresAt: Date.now() + config.authorizationCodeTtlSeconds * 1000,
  };
  const issued = await grantStore(c.env, request.id).issueCode(await sha256Base64url(code), grant, request.expiresAt);
  if (!issued) throw requestAlreadyUsed();
  return withQuery(request.redirectUri, { code, state: request.state, iss: config.issuer });
}

/** The redirect that carries a code back to the app. */
export function redirectToApp(c: AppContext, location: string, status: 302 | 303): Response {
  c.header('Cache-Control', 'no-store');
  // The Location carries the code: nothing may leak it onward in a Referer.
  c.header('Referrer-Policy', 'no-referrer');
  return c.redirect(location, status);
}
