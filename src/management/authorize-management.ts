import type { Context, Next } from 'hono';
import { bearerError, requireAccessToken } from '../http/bearer-token';
import type { AppEnv, AppVariables } from '../http/context';
import { grantIdOfJti } from '../oauth/grant-handle';
import { ApiError } from '../errors/api-error';
import { MANAGEMENT_AUDIENCE, MANAGEMENT_GRANT_SCOPE, scopesBeyond } from '../oauth/management-api';

/** The app's context plus the caller, who becomes the audit actor, and the scopes its token carries. */
export interface ManagementEnv extends AppEnv {
  Variables: AppVariables & { actor: string; callerScopes: readonly string[] };
}

/**
 * Every Management API call carries an access token that edge-auth issued (client credentials) for
 * the Management API audience, with the scope the route needs. The caller becomes the audit actor.
 */
export function requireScope(scope: string) {
  return async (c: Context<ManagementEnv>, next: Next): Promise<void> => {
    const claims = await requireAccessToken(c);
    if (claims.aud !== MANAGEMENT_AUDIENCE) throw bearerError('invalid_token', 'The access token is not for the Management API.');
    // Only machine tokens (client credentials: the client is its own subject, no grant behind it),
    // never a token a user signed in for, whatever client it was issued to.
    if (claims.sub !== claims.client_id || grantIdOfJti(claims.jti) !== undefined) {
      throw bearerError('invalid_token', 'The Management API accepts only client credentials tokens.');
    }
    const callerScopes = claims.scope.split(' ');
    if (!callerScopes.includes(scope)) throw bearerError('insufficient_scope', `This call needs the ${scope} scope.`);
    c.set('actor', `client:${claims.client_id}`);
    c.set('callerScopes', callerScopes);
    await next();
  };
}

/**
 * Management API scopes are privilege boundaries (docs/operator-guide.md, "The Management API's
 * scopes"): passing on Management API access, as a client grant or as the secret of a client that
 * holds one, needs MANAGEMENT_GRANT_SCOPE, and every scope passed on must be one the caller's own
 * token carries.
 */
export function requireManagementPrivilege(c: Context<ManagementEnv>, passedOn: readonly string[]): void {
  const held = c.get('callerScopes');
  if (!held.includes(MANAGEMENT_GRANT_SCOPE)) {
    throw bearerError('insufficient_scope', `Passing on Management API access needs the ${MANAGEMENT_GRANT_SCOPE} scope.`);
  }
  const beyond = scopesBeyond(held, passedOn);
  if (beyond.length) throw new ApiError(403, 'forbidden', `A client may pass on only scopes it holds itself; this token lacks ${beyond.join(', ')}.`);
}
