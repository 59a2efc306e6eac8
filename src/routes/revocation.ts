import { sha256Base64url } from '../crypto/hash';
import { revokeMachineToken } from '../db/revoked-tokens';
import { userStore } from '../durable-objects/user-store';
import { NO_STORE } from '../errors/no-store';
import { authenticateClient } from '../http/client-authentication';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { grantIdOfJti, parseHandle } from '../oauth/grant-handle';
import { requiredParam } from '../oauth/params';
import { verifyAccessToken } from '../tokens/verify';

/**
 * POST /oauth/revoke (RFC 7009). A refresh token revokes its whole grant; an access token is
 * remembered as revoked by `jti` until it expires, in the user's object. Unknown tokens, and tokens of other clients,
 * get the same 200 (section 2.2), so the endpoint tells nobody which tokens exist.
 */
export async function revoke(c: AppContext): Promise<Response> {
  const params = await readForm(c);
  const client = await authenticateClient(c.env, c.req.header('Authorization'), params);
  const token = requiredParam(params, 'token');
  // The hint is only an optimisation (section 2.1); the token's shape tells the two kinds apart.
  const refresh = parseHandle(token);
  if (refresh) {
    if (await userStore(c.env, refresh.userId).revokeRefreshToken(refresh.id, await sha256Base64url(token), client.id)) {
      c.var.audit({ event: 'token_revoked', clientId: client.id, userId: refresh.userId, grantId: refresh.id, detail: { token_type: 'refresh_token' } });
    }
  } else {
    const claims = await verifyAccessToken(c.env, token);
    const grantId = claims && grantIdOfJti(claims.jti);
    if (claims && claims.client_id === client.id) {
      if (grantId && (await userStore(c.env, claims.sub).revokeAccessToken(grantId, claims.jti, client.id, claims.exp * 1000))) {
        c.var.audit({ event: 'token_revoked', clientId: client.id, userId: claims.sub, grantId, detail: { token_type: 'access_token' } });
      } else if (!grantId && claims.sub === client.id) {
        // A client-credentials token: no grant behind it, so its jti is remembered until it expires.
        await revokeMachineToken(c.env, claims.jti, client.id, new Date(claims.exp * 1000));
        c.var.audit({ event: 'token_revoked', actor: `client:${client.id}`, clientId: client.id, detail: { token_type: 'access_token', client_credentials: true } });
      }
    }
  }
  return c.body(null, 200, NO_STORE);
}
