import type { Context } from 'hono';
import { getConfig } from '../config';
import { OAuthError } from '../errors/oauth-error';
import { isFreshDpopNonce, issueDpopNonce } from '../oauth/dpop-nonce';
import { DPOP_ALGS, DpopProofError, verifyDpopProof, type DpopFailure, type DpopProof } from '../oauth/dpop-proof';
import { getSealingKey } from '../tokens/key-cache';

/** What a protected resource says it accepts (RFC 9449 section 7.1). */
export const DPOP_CHALLENGE = `DPoP algs="${DPOP_ALGS.join(' ')}"`;

/** A fresh server nonce (RFC 9449 section 8), sent with every answer to a DPoP request. */
export async function freshDpopNonce(env: Env): Promise<string> {
  return issueDpopNonce(await getSealingKey(env), Date.now());
}

/**
 * A DPoP refusal: 400 at the token endpoint (RFC 9449 section 5), 401 with a `DPoP` challenge at a
 * protected resource (section 7.1); `use_dpop_nonce` carries the nonce to retry with (section 8).
 */
export async function dpopError(env: Env, code: DpopFailure | 'invalid_token', description: string, atResource: boolean): Promise<OAuthError> {
  const headers: Record<string, string> = {};
  if (code === 'use_dpop_nonce') headers['DPoP-Nonce'] = await freshDpopNonce(env);
  if (atResource) headers['WWW-Authenticate'] = `DPoP realm="edge-auth", error="${code}", error_description="${description}", algs="${DPOP_ALGS.join(' ')}"`;
  return new OAuthError(code, description, { status: atResource ? 401 : 400, headers });
}

/**
 * The request's DPoP proof, verified for this endpoint (its URL under the configured issuer, never
 * the Host header) and, at a resource, for the access token sent with it; undefined when the
 * request carries none. A nonce is always required: every answer hands out the next one.
 */
export async function readDpopProof<E extends { Bindings: Env }>(c: Context<E>, accessToken?: string): Promise<DpopProof | undefined> {
  const proof = c.req.header('DPoP');
  if (proof === undefined) return undefined;
  const key = await getSealingKey(c.env);
  const now = Date.now();
  try {
    return await verifyDpopProof(proof, {
      method: c.req.method,
      url: `${getConfig(c.env).issuer}${c.req.path}`,
      now,
      accessToken,
      isFreshNonce: (nonce) => isFreshDpopNonce(key, nonce, now),
    });
  } catch (error) {
    if (error instanceof DpopProofError) throw await dpopError(c.env, error.code, error.message, accessToken !== undefined);
    throw error;
  }
}
