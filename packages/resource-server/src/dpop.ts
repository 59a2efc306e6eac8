import { base64url, calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWTPayload } from 'jose';
import { ResourceError } from './challenge';

/**
 * DPoP proofs at a protected resource (RFC 9449 sections 4.3 and 7): the proof is signed by the key
 * the token is bound to (`cnf.jkt`), for this method and URL, for this very token (`ath`), and recent.
 * Nonces are not required and `jti`s are not remembered (the kit keeps no state): a proof could be
 * replayed within its one-minute window, for the same method, URL and token.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
 */

/** Asymmetric only (section 4.2): the algorithms edge-auth accepts. */
export const DPOP_ALGS = ['ES256', 'EdDSA', 'RS256'] as const;
const MAX_AGE_S = 60;
const MAX_FUTURE_S = 10;
const MAX_PROOF_LENGTH = 4096;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const invalid = (message: string) => new ResourceError('invalid_dpop_proof', message);

export interface ProofRequest {
  method: string;
  /** The URL the client called, as this resource's public URL (not a proxy's). */
  url: string;
  accessToken: string;
  /** The `cnf.jkt` of the access token. */
  jkt: string;
  now: number;
}

function withoutQuery(raw: string): string | undefined {
  if (!URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  url.search = '';
  url.hash = '';
  return url.href;
}

async function sha256(text: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

export async function verifyProof(proof: string | null, request: ProofRequest): Promise<void> {
  if (proof === null) throw invalid('This access token is bound to a key: send a DPoP proof.');
  if (proof.length > MAX_PROOF_LENGTH || proof.includes(',')) throw invalid('Send exactly one DPoP proof.');
  let jwk: unknown;
  try {
    jwk = decodeProtectedHeader(proof).jwk;
  } catch {
    throw invalid('The DPoP proof is not a JWT.');
  }
  if (typeof jwk !== 'object' || jwk === null || PRIVATE_MEMBERS.some((member) => member in jwk)) throw invalid('The DPoP proof must carry a public jwk.');
  let payload: JWTPayload & { htm?: unknown; htu?: unknown; ath?: unknown };
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGS] }));
  } catch {
    throw invalid('The DPoP proof signature is invalid.');
  }
  if (typeof payload.jti !== 'string' || payload.jti === '') throw invalid('The DPoP proof needs a jti.');
  if (payload.htm !== request.method) throw invalid('The DPoP proof was made for another HTTP method (htm).');
  if (typeof payload.htu !== 'string' || withoutQuery(payload.htu) !== withoutQuery(request.url)) throw invalid('The DPoP proof was made for another URL (htu).');
  const nowS = request.now / 1000;
  if (typeof payload.iat !== 'number' || payload.iat < nowS - MAX_AGE_S || payload.iat > nowS + MAX_FUTURE_S) throw invalid('The DPoP proof is too old or from the future (iat).');
  if (payload.ath !== (await sha256(request.accessToken))) throw invalid('The DPoP proof was not made for this access token (ath).');
  if ((await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], 'sha256')) !== request.jkt) {
    throw invalid('The DPoP proof is signed by another key than the token is bound to.');
  }
}
