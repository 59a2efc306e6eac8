import type { Context, Next } from 'hono';
import { bearerError, requireBearerToken } from '../routes/bearer-token';
import { MANAGEMENT_AUDIENCE } from './audience';

export type ManagementEnv = { Bindings: Env; Variables: { actor: string } };

/**
 * Every Management API call carries an access token that edge-auth issued (client credentials) for
 * the Management API audience, with the scope the route needs. The caller becomes the audit actor.
 */
export function requireScope(scope: string) {
  return async (c: Context<ManagementEnv>, next: Next): Promise<void> => {
    const claims = await requireBearerToken(c);
    if (claims.aud !== MANAGEMENT_AUDIENCE) throw bearerError('invalid_token', 'The access token is not for the Management API.');
    if (!claims.scope.split(' ').includes(scope)) throw bearerError('insufficient_scope', `This call needs the ${scope} scope.`);
    c.set('actor', `client:${claims.client_id}`);
    await next();
  };
}
