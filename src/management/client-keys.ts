import * as v from 'valibot';
import type { FieldIssue } from '../errors/api-error';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../oauth/client-assertion';
import { checkOutboundUrl } from '../oauth/outbound-url';

/**
 * The Management API fields of `private_key_jwt` (RFC 7523, RFC 7591 section 2): how a client
 * authenticates, and its public keys, inline or at an https URL.
 */

/** Members that only a private or symmetric key has (RFC 7518 section 6): never stored. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const publicJwk = v.pipe(
  v.record(v.string(), v.unknown()),
  v.check((key) => typeof key.kty === 'string' && key.kty !== 'oct', 'each key needs a kty, and must be an RSA, EC or OKP key'),
  v.check((key) => !PRIVATE_MEMBERS.some((member) => member in key), 'must hold public keys only: no d, p, q, dp, dq, qi, oth or k'),
);

export const clientKeyFields = {
  token_endpoint_auth_method: v.optional(v.nullable(v.picklist(TOKEN_ENDPOINT_AUTH_METHODS))),
  jwks: v.optional(v.nullable(v.strictObject({ keys: v.pipe(v.array(publicJwk), v.minLength(1), v.maxLength(10)) }))),
  jwks_uri: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(2048)))),
};

/** A jwks_uri must be one edge-auth would fetch (src/oauth/outbound-url.ts): refused at registration, not at the first token request. */
export function jwksUriIssues(jwksUri: string | null | undefined, allowLoopback: boolean): FieldIssue[] {
  if (jwksUri === null || jwksUri === undefined) return [];
  const check = checkOutboundUrl(jwksUri, { allowLoopback });
  return check.ok ? [] : [{ path: 'jwks_uri', message: check.reason }];
}
