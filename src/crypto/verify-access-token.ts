import { createLocalJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { getConfig } from '../config';
import { getPublicJwks } from './keys';

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  aud: string;
  jti: string;
  client_id: string;
  scope: string;
  exp: number;
  iat: number;
}

export type AccessTokenCheck =
  | { ok: true; claims: AccessTokenClaims }
  /** `expired` tokens have a good signature; their claims are given for revocation, which ignores them. */
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'expired'; claims: AccessTokenClaims };

let keySet: { jwks: object; getKey: JWTVerifyGetKey } | undefined;

/** Our published keys as a jose key set, rebuilt only when the isolate's key cache was refreshed. */
export async function localKeySet(env: Env): Promise<JWTVerifyGetKey> {
  const jwks = await getPublicJwks(env);
  if (keySet?.jwks !== jwks) keySet = { jwks, getKey: createLocalJWKSet({ keys: jwks }) };
  return keySet.getKey;
}

function hasClaims(payload: JWTPayload): payload is AccessTokenClaims {
  return (
    typeof payload.sub === 'string' &&
    typeof payload.aud === 'string' &&
    typeof payload.jti === 'string' &&
    typeof payload.client_id === 'string' &&
    typeof payload.scope === 'string' &&
    typeof payload.exp === 'number' &&
    typeof payload.iat === 'number'
  );
}

/**
 * Verifies one of our RFC 9068 access tokens: our key, our issuer, `typ: at+jwt` (so an ID token
 * is never accepted as an access token). Revocation is the caller's next step.
 */
export async function verifyAccessToken(env: Env, token: string): Promise<AccessTokenCheck> {
  try {
    const { payload } = await jwtVerify(token, await localKeySet(env), {
      issuer: getConfig(env).issuer,
      typ: 'at+jwt',
      algorithms: ['ES256', 'RS256'],
    });
    return hasClaims(payload) ? { ok: true, claims: payload } : { ok: false, reason: 'invalid' };
  } catch (error) {
    if (error instanceof errors.JWTExpired && hasClaims(error.payload)) return { ok: false, reason: 'expired', claims: error.payload };
    return { ok: false, reason: 'invalid' };
  }
}
