import { getConfig } from '../config';
import { sha256Base64url } from '../crypto/hash';
import type { ClientRow } from '../db/schema';
import { userStore } from '../durable-objects/user-store';
import { NO_STORE } from '../errors/no-store';
import { isAccessTokenLive } from '../http/bearer-token';
import { authenticateClient, invalidClient } from '../http/client-authentication';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { parseHandle, type HandleTarget } from '../oauth/grant-handle';
import { mayIntrospect } from '../oauth/introspection';
import { requiredParam } from '../oauth/params';
import { verifyAccessToken } from '../tokens/verify';

const INACTIVE = { active: false } as const;

async function introspectAccessToken(env: Env, caller: ClientRow, token: string): Promise<Record<string, unknown>> {
  const claims = await verifyAccessToken(env, token);
  if (!claims || !mayIntrospect(caller, { type: 'access_token', audience: claims.aud, clientId: claims.client_id })) return INACTIVE;
  if (!(await isAccessTokenLive(env, claims))) return INACTIVE;
  return {
    active: true,
    // RFC 9449 section 6.2: a bound token's key, for resource servers that introspect.
    token_type: claims.cnf ? 'DPoP' : 'Bearer',
    ...(claims.cnf && { cnf: { jkt: claims.cnf.jkt } }),
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    aud: claims.aud,
    iss: claims.iss,
    exp: claims.exp,
    iat: claims.iat,
    jti: claims.jti,
  };
}

async function introspectRefreshToken(env: Env, caller: ClientRow, token: string, target: HandleTarget): Promise<Record<string, unknown>> {
  const live = await userStore(env, target.userId).activeRefreshGrant(target.id, await sha256Base64url(token));
  if (!live) return INACTIVE;
  const { grant } = live;
  if (!mayIntrospect(caller, { type: 'refresh_token', audience: grant.audience, clientId: grant.clientId })) return INACTIVE;
  return {
    active: true,
    scope: grant.scopes.join(' '),
    client_id: grant.clientId,
    sub: grant.userId,
    aud: grant.audience,
    iss: getConfig(env).issuer,
    exp: Math.floor(live.expiresAt / 1000),
  };
}

/**
 * POST /oauth/introspect (RFC 7662) for resource servers, which authenticate as confidential
 * clients. Revoked, expired, unknown and foreign tokens are all just `active: false`.
 */
export async function introspect(c: AppContext): Promise<Response> {
  const params = await readForm(c);
  const caller = await authenticateClient(c.env, c.req.header('Authorization'), params);
  if (caller.type !== 'confidential') {
    // Public clients hold no credentials, so they cannot use this endpoint (RFC 7662 section 2.1).
    throw invalidClient();
  }
  const token = requiredParam(params, 'token');
  const refresh = parseHandle(token);
  const answer = refresh
    ? await introspectRefreshToken(c.env, caller, token, refresh)
    : await introspectAccessToken(c.env, caller, token);
  return c.json(answer, 200, NO_STORE);
}
