import { sha256Base64url } from '../crypto/hash';
import { grantStore } from '../durable-objects/grant-store';
import { NO_STORE } from '../errors/no-store';
import { authenticateClient } from '../http/client-authentication';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { grantIdOfJti, handleId } from '../oauth/grant-handle';
import { requiredParam } from '../oauth/params';
import { verifyAccessToken } from '../tokens/verify';

/**
 * POST /oauth/revoke (RFC 7009). A refresh token revokes its whole grant; an access token is
 * remembered as revoked by `jti` until it expires. Unknown tokens, and tokens of other clients,
 * get the same 200 (section 2.2), so the endpoint tells nobody which tokens exist.
 */
export async function revoke(c: AppContext): Promise<Response> {
  const params = await readForm(c);
  const client = await authenticateClient(c.env, c.req.header('Authorization'), params);
  const token = requiredParam(params, 'token');
  // The hint is only an optimisation (section 2.1); the token's shape tells the two kinds apart.
  const grantId = handleId(token);
  if (grantId) {
    const userId = await grantStore(c.env, grantId).revokeRefreshToken(await sha256Base64url(token), client.id);
    if (userId) c.var.audit({ event: 'token_revoked', clientId: client.id, userId, grantId, detail: { token_type: 'refresh_token' } });
  } else {
    const claims = await verifyAccessToken(c.env, token);
    const accessGrantId = claims && grantIdOfJti(claims.jti);
    if (claims && accessGrantId && claims.client_id === client.id) {
      const userId = await grantStore(c.env, accessGrantId).revokeAccessToken(claims.jti, client.id, claims.exp * 1000);
      if (userId) c.var.audit({ event: 'token_revoked', clientId: client.id, userId, grantId: accessGrantId, detail: { token_type: 'access_token' } });
    }
  }
  return c.body(null, 200, NO_STORE);
}
