import type { Context } from 'hono';
import { verifyAccessToken, type AccessTokenClaims } from '../tokens/verify';
import { grantStore } from '../durable-objects/grant-store';
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
 * Whether the grant behind the token still stands and the token itself was not revoked. Tokens
 * without a grant (client credentials: a `jti` with no grant id) live until they expire.
 */
export async function isAccessTokenLive(env: Env, claims: AccessTokenClaims): Promise<boolean> {
  const grantId = grantIdOfJti(claims.jti);
  if (grantId === undefined) return !claims.jti.includes('.');
  return !(await grantStore(env, grantId).isAccessTokenRevoked(claims.jti));
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
