import { base64url, SignJWT } from 'jose';
import { sha256 } from './hash';

/** The algorithms edge-auth signs with: ES256 for ID tokens and by default, RS256 for APIs that ask for it. */
export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
/** ID tokens are always ES256: every OIDC client supports it (OIDC Core section 15.1 asks only RS256 of relying parties, which they verify too). */
export const ID_TOKEN_ALG: SigningAlg = 'ES256';

/** A private key that signs, with the `kid` and `alg` its tokens name in their header. */
export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  key: CryptoKey;
}

/** What an access token says, before it is signed. */
export interface AccessTokenContent {
  issuer: string;
  subject: string;
  audience: string;
  clientId: string;
  scopes: readonly string[];
  /** Undefined for tokens no user signed in for (client credentials). */
  authTime: number | undefined;
  ttlSeconds: number;
  jti: string;
  /** The DPoP key the token is bound to (RFC 9449 section 6.1), as an RFC 7638 thumbprint. */
  jkt?: string | undefined;
}

/**
 * A JWT access token as RFC 9068 profiles it: `typ: at+jwt` so it cannot be confused with an
 * ID token, a `jti` so it can later be revoked, and `cnf.jkt` when it is bound to a DPoP key.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2
 */
export async function signAccessToken(key: SigningKey, claims: AccessTokenContent, now: number): Promise<string> {
  return new SignJWT({
    client_id: claims.clientId,
    scope: claims.scopes.join(' '),
    ...(claims.authTime === undefined ? {} : { auth_time: claims.authTime }),
    ...(claims.jkt === undefined ? {} : { cnf: { jkt: claims.jkt } }),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(claims.issuer)
    .setSubject(claims.subject)
    .setAudience(claims.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + claims.ttlSeconds)
    .setJti(claims.jti)
    .sign(key.key);
}

export interface IdTokenClaims {
  issuer: string;
  subject: string;
  clientId: string;
  nonce: string | undefined;
  authTime: number;
  /** RFC 8176 methods and the level they reach (OIDC Core 2). */
  amr?: readonly string[] | undefined;
  acr?: string | undefined;
  accessToken: string;
  ttlSeconds: number;
}

/** OIDC Core 3.1.3.6: the left half of the access token's hash, for ES256 and RS256 alike (both SHA-256). */
async function accessTokenHash(accessToken: string): Promise<string> {
  return base64url.encode((await sha256(accessToken)).subarray(0, 16));
}

/** @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken */
export async function signIdToken(key: SigningKey, claims: IdTokenClaims, now: number): Promise<string> {
  return new SignJWT({
    azp: claims.clientId,
    auth_time: claims.authTime,
    ...(claims.amr === undefined ? {} : { amr: claims.amr }),
    ...(claims.acr === undefined ? {} : { acr: claims.acr }),
    at_hash: await accessTokenHash(claims.accessToken),
    ...(claims.nonce === undefined ? {} : { nonce: claims.nonce }),
    ...(claims.amr === undefined ? {} : { amr: [...claims.amr] }),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(claims.issuer)
    .setSubject(claims.subject)
    .setAudience(claims.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + claims.ttlSeconds)
    .sign(key.key);
}
