/**
 * `private_key_jwt` client authentication (RFC 7523 section 2.2 and 3, OIDC Core section 9): what
 * a client assertion's claims must say, pure so each rule is tested without the runtime. The
 * signature is checked by the caller (src/http/client-assertion.ts) against the client's keys.
 */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Asymmetric only: an HMAC key would be a shared secret, and `none` no signature at all. */
export const CLIENT_ASSERTION_ALGS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'];
/** An assertion is made for one request: it may not be valid for longer than this. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
const MAX_JTI_LENGTH = 256;

export interface AssertionClaims {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  exp?: unknown;
  jti?: unknown;
}

/**
 * Why the verified claims of an assertion are not acceptable, or undefined: `iss` and `sub` are
 * the client, `aud` names this server (its issuer or one of its endpoint URLs, as RFC 7523
 * section 3 and OIDC Core section 9 allow), `exp` is present and at most five minutes ahead, and
 * `jti` is present.
 */
export function assertionProblem(claims: AssertionClaims, clientId: string, audiences: readonly string[], nowSeconds: number): string | undefined {
  if (claims.iss !== clientId || claims.sub !== clientId) return 'iss and sub must be the client_id';
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((value) => typeof value === 'string' && audiences.includes(value))) return 'aud must be the issuer or the endpoint URL';
  if (typeof claims.exp !== 'number') return 'exp is required';
  if (claims.exp > nowSeconds + MAX_ASSERTION_LIFETIME_SECONDS) return `exp must be at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds ahead`;
  if (typeof claims.jti !== 'string' || claims.jti === '' || claims.jti.length > MAX_JTI_LENGTH) return 'jti is required';
  return undefined;
}
