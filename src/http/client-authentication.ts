import { sha256Base64url } from '../crypto/hash';
import { timingSafeEqual } from '../crypto/timing-safe';
import { findClient } from './find-client';
import type { ClientRow } from '../db/schema';
import { invalidRequest, OAuthError } from '../errors/oauth-error';

interface PresentedCredentials {
  clientId: string | undefined;
  secret: string | undefined;
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}

// RFC 6749 section 5.2: a 401 names the scheme the client may authenticate with.
export const invalidClient = () =>
  new OAuthError('invalid_client', 'Client authentication failed.', {
    headers: { 'WWW-Authenticate': 'Basic realm="edge-auth", charset="UTF-8"' },
  });

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
 * secret, RFC 8252 section 8.5), confidential ones by their secret, compared by hash in constant time.
 */
export async function authenticateClient(env: Env, authorization: string | undefined, params: Map<string, string>): Promise<ClientRow> {
  const presented = presentedCredentials(authorization, params);
  if (!presented.clientId) throw invalidClient();
  const client = await findClient(env, presented.clientId);
  if (!client) throw invalidClient();
  if (client.type === 'public') {
    if (presented.secret !== undefined) throw invalidClient();
    return client;
  }
  if (presented.secret === undefined || client.secretHash === null) throw invalidClient();
  if (!timingSafeEqual(await sha256Base64url(presented.secret), client.secretHash)) throw invalidClient();
  return client;
}
