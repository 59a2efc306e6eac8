import type { Context, Next } from 'hono';
import { bearerError, requireBearerToken } from '../http/bearer-token';
import type { AppEnv, AppVariables } from '../http/context';
import { grantIdOfJti } from '../oauth/grant-handle';
import { MANAGEMENT_AUDIENCE } from '../oauth/management-api';

/** The app's context plus the caller, who becomes the audit actor. */
export interface ManagementEnv extends AppEnv {
  Variables: AppVariables & { actor: string };
}

/**
 * Every Management API call carries an access token that edge-auth issued (client credentials) for
 * the Management API audience, with the scope the route needs. The caller becomes the audit actor.
 */
export function requireScope(scope: string) {
  return async (c: Context<ManagementEnv>, next: Next): Promise<void> => {
    const claims = await requireBearerToken(c);
    if (claims.aud !== MANAGEMENT_AUDIENCE) throw bearerError('invalid_token', 'The access token is not for the Management API.');
    // Only machine tokens (client credentials: the client is its own subject, no grant behind it),
    // never a token a user signed in for, whatever client it was issued to.
    if (claims.sub !== claims.client_id || grantIdOfJti(claims.jti) !== undefined) {
      throw bearerError('invalid_token', 'The Management API accepts only client credentials tokens.');
    }
    if (!claims.scope.split(' ').includes(scope)) throw bearerError('insufficient_scope', `This call needs the ${scope} scope.`);
    c.set('actor', `client:${claims.client_id}`);
    await next();
  };
}
