import type { Context } from 'hono';
import { verifyAccessToken, type AccessTokenClaims } from '../tokens/verify';
import { findClient, findClientGrants } from '../db/registry';
import { isMachineTokenRevoked } from '../db/revoked-tokens';
import { userStore } from '../durable-objects/user-store';
import { OAuthError } from '../errors/oauth-error';
import { grantIdOfJti } from '../oauth/grant-handle';
import { DPOP_CHALLENGE, dpopError, freshDpopNonce, readDpopProof } from './dpop';

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

const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i;

/** `Authorization: Bearer` (RFC 6750 section 2.1): refused for a DPoP-bound token (RFC 9449 section 7.2). */
async function bearerToken(env: Env, token: string): Promise<AccessTokenClaims> {
  const claims = await verifyAccessToken(env, token);
  if (claims?.cnf) throw await dpopError(env, 'invalid_token', 'This access token is DPoP-bound: send it as DPoP with a proof.', true);
  if (!claims || !(await isAccessTokenLive(env, claims))) throw bearerError('invalid_token', 'The access token is invalid, expired or revoked.');
  return claims;
}

/**
 * `Authorization: DPoP` (RFC 9449 section 7.1): a proof for this request and this token, by the
 * key the token is bound to. A user's token is checked and the proof's jti remembered in the same
 * call to the user's object, so a captured request cannot be replayed. Machine tokens have no
 * such object: their proofs are bounded by the nonce and the proof's minute, not remembered.
 */
async function dpopToken<E extends { Bindings: Env }>(c: Context<E>, token: string): Promise<AccessTokenClaims> {
  const proof = await readDpopProof(c, token);
  if (!proof) throw await dpopError(c.env, 'invalid_dpop_proof', 'A DPoP proof is required with a DPoP access token.', true);
  const claims = await verifyAccessToken(c.env, token);
  const refused = () => dpopError(c.env, 'invalid_token', 'The access token is invalid, expired or revoked.', true);
  if (!claims) throw await refused();
  if (claims.cnf?.jkt !== proof.jkt) throw await dpopError(c.env, 'invalid_token', 'The access token is not bound to the key of this DPoP proof.', true);
  const grantId = grantIdOfJti(claims.jti);
  if (grantId === undefined) {
    if (claims.jti.includes('.') || !(await isMachineTokenLive(c.env, claims))) throw await refused();
  } else {
    const result = await userStore(c.env, claims.sub).useDpopAccessToken(grantId, claims.jti, proof);
    if (result === 'revoked') throw await refused();
    if (result !== 'live') throw await dpopError(c.env, 'invalid_dpop_proof', 'This DPoP proof was already used, or too many were sent; make a new one.', true);
  }
  c.header('DPoP-Nonce', await freshDpopNonce(c.env));
  return claims;
}

/** The live access token of the request: `Authorization: Bearer` or `Authorization: DPoP` with its proof. */
export async function requireAccessToken<E extends { Bindings: Env }>(c: Context<E>): Promise<AccessTokenClaims> {
  const header = c.req.header('Authorization');
  if (!header) {
    // RFC 6750 section 3.1 and RFC 9449 section 7.1: no credentials at all gets bare challenges.
    throw new OAuthError('invalid_request', 'An access token is required.', {
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer realm="edge-auth", ${DPOP_CHALLENGE}` },
    });
  }
  const match = AUTHORIZATION.exec(header.trim());
  if (!match) throw bearerError('invalid_request', 'The Authorization header must be a Bearer or DPoP token.');
  return match[1]!.toLowerCase() === 'dpop' ? dpopToken(c, match[2]!) : bearerToken(c.env, match[2]!);
}
