import type { Context } from 'hono';
import { verifyAccessToken, type AccessTokenClaims } from '../tokens/verify';
import { findClient, findClientGrants } from '../db/registry';
import { isMachineTokenRevoked } from '../db/revoked-tokens';
import { userStore } from '../durable-objects/user-store';
import { OAuthError } from '../errors/oauth-error';
import { grantIdOfJti } from '../oauth/grant-handle';

/** RFC 6750 section 3: errors of a protected resource name themselves in WWW-Authenticate. */
export function bearerError(code: 'invalid_request' | 'invalid_token' | 'insufficient_scope', description: string): OAuthError {
  const status = code === 'invalid_request' ? 400 : code === 'invalid_token' ? 401 : 403;
  return new OAuthError(code, description, {
    status,
    headers: { 'WWW-Authenticate': `Bearer realm="edge-auth", error="${code}", error_description="${description}"` },
  });
}

/**
 * Whether a client-credentials token (no grant behind it) may still be honoured: not revoked, its
 * client still exists and still has a client grant for the token's audience. Clients and grants come
 * from the isolate's cache: a deletion takes effect at once in the isolate that made it, and in the
 * others within REGISTRY_CACHE_TTL_SECONDS; a revocation (a D1 read) at once everywhere.
 */
async function isMachineTokenLive(env: Env, claims: AccessTokenClaims): Promise<boolean> {
  const client = await findClient(env, claims.client_id);
  if (!client || client.id !== claims.sub) return false;
  const grants = await findClientGrants(env, client.id);
  if (!grants.some((grant) => grant.audience === claims.aud)) return false;
  return !(await isMachineTokenRevoked(env, claims.jti));
}

/**
 * Whether the token may still be honoured. A user's token: the grant behind it stands, the token
 * itself was not revoked and its user is not blocked (one call to the user's object). A machine
 * token: see isMachineTokenLive.
 */
export async function isAccessTokenLive(env: Env, claims: AccessTokenClaims): Promise<boolean> {
  const grantId = grantIdOfJti(claims.jti);
  if (grantId === undefined) return !claims.jti.includes('.') && isMachineTokenLive(env, claims);
  return userStore(env, claims.sub).isAccessTokenLive(grantId, claims.jti);
}

/** The live access token of an `Authorization: Bearer` header (RFC 6750 section 2.1). */
export async function requireBearerToken<E extends { Bindings: Env }>(c: Context<E>): Promise<AccessTokenClaims> {
  const header = c.req.header('Authorization');
  if (!header) {
    // RFC 6750 section 3.1: no credentials at all gets a bare challenge.
    throw new OAuthError('invalid_request', 'An access token is required.', {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="edge-auth"' },
    });
  }
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  if (!match) throw bearerError('invalid_request', 'The Authorization header must be a Bearer token.');
  const claims = await verifyAccessToken(c.env, match[1]!);
  if (!claims || !(await isAccessTokenLive(c.env, claims))) {
    throw bearerError('invalid_token', 'The access token is invalid, expired or revoked.');
  }
  return claims;
}
