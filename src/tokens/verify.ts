import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import * as v from 'valibot';
import { SIGNING_ALGS } from '../crypto/jwt';
import { getConfig } from '../config';
import { getPublicJwks } from './key-cache';

/** The claims of our RFC 9068 access tokens that edge-auth relies on when it checks one. */
const AccessTokenClaimsSchema = v.looseObject({
  iss: v.string(),
  sub: v.string(),
  aud: v.string(),
  jti: v.string(),
  client_id: v.string(),
  scope: v.string(),
  exp: v.number(),
  iat: v.number(),
  /** When the user last authenticated (RFC 9068 section 2.2.1); absent from machine tokens. */
  auth_time: v.optional(v.number()),
  /** The DPoP key a bound token needs a proof by (RFC 9449 section 6.1). */
  cnf: v.optional(v.looseObject({ jkt: v.string() })),
});
export type AccessTokenClaims = v.InferOutput<typeof AccessTokenClaimsSchema>;

/** The subject and audience of one of our ID tokens. */
const IdTokenClaimsSchema = v.looseObject({ sub: v.string(), aud: v.string() });
export type IdTokenClaims = v.InferOutput<typeof IdTokenClaimsSchema>;

let keySet: { jwks: object; getKey: JWTVerifyGetKey } | undefined;

/** Our published keys as a jose key set, rebuilt only when the isolate's key cache was refreshed. */
async function localKeySet(env: Env): Promise<JWTVerifyGetKey> {
  const jwks = await getPublicJwks(env);
  if (keySet?.jwks !== jwks) keySet = { jwks, getKey: createLocalJWKSet({ keys: jwks }) };
  return keySet.getKey;
}

/**
 * Verifies one of our JWTs: our key, our issuer, the expected `typ` (RFC 9068 section 4: an ID
 * token is never accepted as an access token, nor the reverse). Only published keys verify: a
 * withdrawn key's tokens are refused, expired or not, within WITHDRAWAL_CHECK_MS of the withdrawal
 * (src/tokens/key-cache.ts).
 */
async function verifyOurs(env: Env, token: string, typ: 'at+jwt' | 'JWT') {
  const { payload } = await jwtVerify(token, await localKeySet(env), {
    issuer: getConfig(env).issuer,
    typ,
    algorithms: [...SIGNING_ALGS],
  });
  return payload;
}

/** The claims of a valid, unexpired access token of ours, or undefined. Revocation is the caller's next step. */
export async function verifyAccessToken(env: Env, token: string): Promise<AccessTokenClaims | undefined> {
  try {
    const parsed = v.safeParse(AccessTokenClaimsSchema, await verifyOurs(env, token, 'at+jwt'));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An ID token we issued, as an `id_token_hint`: expired ones are accepted (OIDC RP-Initiated
 * Logout section 2), but only with a good signature.
 */
export async function verifyIdTokenHint(env: Env, token: string): Promise<IdTokenClaims | undefined> {
  let payload: unknown;
  try {
    payload = await verifyOurs(env, token, 'JWT');
  } catch (error) {
    if (!(error instanceof errors.JWTExpired)) return undefined;
    payload = decodeJwt(token);
  }
  const parsed = v.safeParse(IdTokenClaimsSchema, payload);
  return parsed.success ? parsed.output : undefined;
}
