import { findUserById } from '../db/users';
import { NO_STORE } from '../errors/no-store';
import { bearerError, requireAccessToken } from '../http/bearer-token';
import type { AppContext } from '../http/context';

/** GET or POST /userinfo (OIDC Core section 5.3): claims of the user, as far as the token's scopes allow. */
export async function userinfo(c: AppContext): Promise<Response> {
  const claims = await requireAccessToken(c);
  const scopes = claims.scope.split(' ');
  if (!scopes.includes('openid')) throw bearerError('insufficient_scope', 'The access token lacks the openid scope.');
  const user = await findUserById(c.env, claims.sub);
  if (!user) throw bearerError('invalid_token', 'The user of this access token no longer exists.');
  const body: Record<string, unknown> = { sub: user.id };
  // OIDC Core section 5.4: which scope reveals which standard claims.
  if (scopes.includes('email')) Object.assign(body, { email: user.email, email_verified: user.emailVerified });
  if (scopes.includes('profile')) {
    Object.assign(body, { updated_at: Math.floor(user.updatedAt.getTime() / 1000) });
    if (user.name !== null) body.name = user.name;
  }
  return c.json(body, 200, NO_STORE);
}
