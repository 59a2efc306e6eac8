import { sha256Base64url } from '../crypto/hash';
import { timingSafeEqual } from '../crypto/timing-safe';
import { findClient } from './find-client';
import type { ClientRow } from '../db/schema';
import { invalidRequest, OAuthError } from '../errors/oauth-error';
import { CLIENT_ASSERTION_TYPE } from '../oauth/client-assertion';
import { assertionSubject, ClientAssertionError, verifyClientAssertion } from './client-assertion';

interface PresentedCredentials {
  clientId: string | undefined;
  secret: string | undefined;
  /** RFC 7523 section 2.2: a JWT signed by the client's key. */
  assertion?: string;
  method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
}

// RFC 6749 section 5.2: a 401 names the scheme the client may authenticate with. The detail,
// for the log only, says why an assertion failed.
export const invalidClient = (detail?: string) =>
  new OAuthError('invalid_client', 'Client authentication failed.', {
    headers: { 'WWW-Authenticate': 'Basic realm="edge-auth", charset="UTF-8"' },
    ...(detail !== undefined && { detail: { reason: detail } }),
  });

/** RFC 7521 section 4.2: client_assertion with its type, alone; the client is the assertion's `sub`. */
function presentedAssertion(authorization: string | undefined, params: Map<string, string>): PresentedCredentials {
  if (authorization !== undefined || params.has('client_secret')) throw invalidRequest('Use one client authentication method, not two.');
  const assertion = params.get('client_assertion');
  if (params.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE || !assertion) {
    throw invalidRequest(`client_assertion_type must be ${CLIENT_ASSERTION_TYPE}, with a client_assertion.`);
  }
  const clientId = assertionSubject(assertion);
  if (!clientId) throw invalidClient('the assertion is not a JWT with a sub');
  const bodyId = params.get('client_id');
  if (bodyId !== undefined && bodyId !== clientId) throw invalidRequest('client_id does not match the credentials.');
  return { clientId, secret: undefined, assertion, method: 'private_key_jwt' };
}

/** RFC 6749 section 2.3.1: Basic credentials are form-urlencoded before base64. */
function parseBasic(header: string): { clientId: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header.trim());
  if (!match) return undefined;
  try {
    const decoded = atob(match[1]!);
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    return undefined;
  }
}

function presentedCredentials(authorization: string | undefined, params: Map<string, string>): PresentedCredentials {
  if (params.has('client_assertion') || params.has('client_assertion_type')) return presentedAssertion(authorization, params);
  const postSecret = params.get('client_secret');
  if (authorization !== undefined) {
    const basic = parseBasic(authorization);
    if (!basic) throw invalidClient();
    // RFC 6749 section 2.3: a client must not use more than one authentication method.
    if (postSecret !== undefined) throw invalidRequest('Use one client authentication method, not two.');
    const bodyId = params.get('client_id');
    if (bodyId !== undefined && bodyId !== basic.clientId) throw invalidRequest('client_id does not match the credentials.');
    return { clientId: basic.clientId, secret: basic.secret, method: 'client_secret_basic' };
  }
  if (postSecret !== undefined) return { clientId: params.get('client_id'), secret: postSecret, method: 'client_secret_post' };
  return { clientId: params.get('client_id'), secret: undefined, method: 'none' };
}

/**
 * Identifies the client at the token endpoint: public clients by `client_id` alone (they hold no
 * secret, RFC 8252 section 8.5), confidential ones by their secret, compared by hash in constant
 * time, or by a signed assertion when registered for `private_key_jwt` (RFC 7523).
 */
export async function authenticateClient(env: Env, authorization: string | undefined, params: Map<string, string>): Promise<ClientRow> {
  const presented = presentedCredentials(authorization, params);
  if (!presented.clientId) throw invalidClient();
  const client = await findClient(env, presented.clientId);
  if (!client) throw invalidClient();
  // A client registered for private_key_jwt authenticates with nothing else, and only it may use an assertion.
  if ((presented.method === 'private_key_jwt') !== (client.tokenEndpointAuthMethod === 'private_key_jwt')) throw invalidClient();
  if (presented.assertion !== undefined) {
    try {
      await verifyClientAssertion(env, client, presented.assertion);
    } catch (error) {
      if (error instanceof ClientAssertionError) throw invalidClient(error.message);
      throw error;
    }
    return client;
  }
  if (client.type === 'public') {
    if (presented.secret !== undefined) throw invalidClient();
    return client;
  }
  if (presented.secret === undefined || client.secretHash === null) throw invalidClient();
  if (!timingSafeEqual(await sha256Base64url(presented.secret), client.secretHash)) throw invalidClient();
  return client;
}
