import { recordClientUse } from '../db/client-use';
import { NO_STORE } from '../errors/no-store';
import { OAuthError } from '../errors/oauth-error';
import { grantHandler } from '../grants';
import { authenticateClient } from '../http/client-authentication';
import type { AppContext } from '../http/context';
import { dpopError, freshDpopNonce, readDpopProof } from '../http/dpop';
import { readFormOrJson } from '../http/request-body';
import { requiredParam } from '../oauth/params';

/** POST /oauth/token (RFC 6749 section 3.2). */
export async function token(c: AppContext): Promise<Response> {
  const params = await readFormOrJson(c);
  const grantType = requiredParam(params, 'grant_type');
  const handler = grantHandler(grantType);
  if (!handler) throw new OAuthError('unsupported_grant_type', 'This grant_type is not supported.');
  const client = await authenticateClient(c.env, c.req.header('Authorization'), params);
  if (!client.grantTypes.includes(grantType)) {
    throw new OAuthError('unauthorized_client', 'This client may not use this grant_type.');
  }
  // RFC 9449: a proof binds the tokens to its key; some clients must send one (section 5.2).
  const dpop = await readDpopProof(c);
  if (!dpop && client.dpopBoundAccessTokens) throw await dpopError(c.env, 'invalid_dpop_proof', 'This client must send a DPoP proof.', false);
  const body = await handler({ env: c.env, client, params, audit: c.var.audit, dpop });
  recordClientUse(c.env, client, (promise) => c.executionCtx.waitUntil(promise));
  return c.json(body, 200, dpop ? { ...NO_STORE, 'DPoP-Nonce': await freshDpopNonce(c.env) } : NO_STORE);
}
