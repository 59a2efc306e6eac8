import { listApis } from '../db/registry';
import { storePushedRequest } from '../durable-objects/pushed-request-store';
import { NO_STORE } from '../errors/no-store';
import { invalidRequest } from '../errors/oauth-error';
import { authenticateClient } from '../http/client-authentication';
import type { AppContext } from '../http/context';
import { dpopError, freshDpopNonce, readDpopProof } from '../http/dpop';
import { readForm } from '../http/request-body';
import { validateAuthorizationRequest } from '../oauth/authorization-request';
import { requiredParam } from '../oauth/params';
import { newRequestUri, pushedRequest } from '../oauth/pushed-request';
import { matchRedirectUri } from '../oauth/redirect-uri';

/**
 * POST /par (RFC 9126 section 2): the client authenticates as at the token endpoint, the request
 * is checked as /authorize would check it, with errors as JSON, and kept for one use under an
 * unguessable request_uri. One call to the request's own object; no D1 on a warm isolate.
 */
export async function pushAuthorizationRequest(c: AppContext): Promise<Response> {
  const params = await readForm(c);
  const client = await authenticateClient(c.env, c.req.header('Authorization'), params);
  // Section 2.1: a pushed request cannot itself point elsewhere.
  if (params.has('request_uri')) throw invalidRequest('request_uri must not be sent to the pushed authorization request endpoint.');
  const redirectUri = requiredParam(params, 'redirect_uri');
  if (!matchRedirectUri(redirectUri, client.redirectUris)) throw invalidRequest('The redirect_uri is not registered for this client.');
  validateAuthorizationRequest(params, client, redirectUri, await listApis(c.env));
  // RFC 9449 section 10.1: a proof sent with the push binds the code to its key, as dpop_jkt does.
  const dpop = await readDpopProof(c);
  if (dpop) {
    if (params.has('dpop_jkt') && params.get('dpop_jkt') !== dpop.jkt) {
      throw await dpopError(c.env, 'invalid_dpop_proof', "The DPoP proof's key is not the one dpop_jkt names.", false);
    }
    params.set('dpop_jkt', dpop.jkt);
  }

  const expiresIn = c.var.config.pushedRequestTtlSeconds;
  const requestUri = newRequestUri();
  await storePushedRequest(c.env, requestUri, pushedRequest(client.id, params, Date.now() + expiresIn * 1000));
  c.var.audit({ event: 'authorization_request_pushed', clientId: client.id, detail: { expires_in: expiresIn } });
  return c.json({ request_uri: requestUri, expires_in: expiresIn }, 201, dpop ? { ...NO_STORE, 'DPoP-Nonce': await freshDpopNonce(c.env) } : NO_STORE);
}
