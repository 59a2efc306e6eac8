import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { sha256Base64url } from '../crypto/hash';

/**
 * DPoP proofs (RFC 9449 section 4.3): a JWT signed by the key the app holds, naming the request it
 * was made for. Pure: the caller gives the request as the server sees it (its method, and the URL
 * built from the configured issuer, never from the Host header) and decides whether a nonce is good.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */

/** Asymmetric only (section 4.2); discovery advertises exactly these. */
export const DPOP_ALGS = ['ES256', 'EdDSA', 'RS256'] as const;
/** A proof is accepted from `iat` for this long... */
export const PROOF_MAX_AGE_S = 60;
/** ...and this far ahead of our clock, for phones whose clock runs a little fast. */
export const PROOF_MAX_FUTURE_S = 10;
/** A jti is at least 96 random bits (section 11.1); longer than this is not a jti but a payload. */
export const MAX_JTI_LENGTH = 128;
/** Larger than any proof with an RSA-4096 key; the header is refused before it is parsed. */
export const MAX_PROOF_LENGTH = 4096;

const PUBLIC_KTY = new Set(['EC', 'OKP', 'RSA']);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** What a valid proof proves: the key (its RFC 7638 thumbprint) and the proof's own id. */
export interface DpopProof {
  jkt: string;
  jti: string;
  /** Until when (ms) the proof could be accepted again, so until when its jti must be remembered. */
  replayableUntil: number;
}

export type DpopFailure = 'invalid_dpop_proof' | 'use_dpop_nonce';

/** Why a proof was refused: `use_dpop_nonce` asks the client to retry with our nonce (section 8). */
export class DpopProofError extends Error {
  override readonly name = 'DpopProofError';
  constructor(
    readonly code: DpopFailure,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new DpopProofError('invalid_dpop_proof', message);

export interface ProofExpectations {
  /** The request's method, upper case. */
  method: string;
  /** The endpoint's URL under the configured issuer. */
  url: string;
  /** Our clock (ms). */
  now: number;
  /** At a protected resource: the access token sent with the proof, whose hash `ath` must be (section 4.2). */
  accessToken?: string | undefined;
  /** Whether the proof's `nonce` (undefined when absent) is one we issued and is still fresh. */
  isFreshNonce: (nonce: string | undefined) => Promise<boolean>;
}

/** RFC 3986 normalisation by the URL parser; query and fragment are not compared (section 4.3, step 9). */
function withoutQuery(raw: string): string | undefined {
  if (!URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  url.search = '';
  url.hash = '';
  return url.href;
}

function checkHeader(proof: string): JWK {
  if (proof.length > MAX_PROOF_LENGTH) throw invalid('The DPoP proof is too large.');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw invalid('The DPoP proof is not a JWT.');
  }
  if (header.typ !== 'dpop+jwt') throw invalid('The DPoP proof must have typ dpop+jwt.');
  if (!(DPOP_ALGS as readonly unknown[]).includes(header.alg)) throw invalid(`The DPoP proof's alg must be one of ${DPOP_ALGS.join(', ')}.`);
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string' || !PUBLIC_KTY.has(jwk.kty)) {
    throw invalid('The DPoP proof must carry the public key as jwk.');
  }
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw invalid('The jwk of the DPoP proof must not hold private key material.');
  return jwk;
}

async function checkSignature(proof: string): Promise<JWTPayload> {
  try {
    // EmbeddedJWK imports the header's jwk for the header's alg and refuses anything but a public key.
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGS] });
    return payload;
  } catch {
    throw invalid('The DPoP proof signature is invalid.');
  }
}

async function checkClaims(payload: JWTPayload, expected: ProofExpectations): Promise<{ jti: string; iat: number }> {
  const { jti, iat, htm, htu, ath } = payload as JWTPayload & { htm?: unknown; htu?: unknown; ath?: unknown };
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw invalid(`The DPoP proof needs a jti of 1 to ${MAX_JTI_LENGTH} characters.`);
  if (htm !== expected.method) throw invalid('The DPoP proof was made for another HTTP method (htm).');
  if (typeof htu !== 'string' || withoutQuery(htu) !== withoutQuery(expected.url)) throw invalid('The DPoP proof was made for another URL (htu).');
  const nowS = expected.now / 1000;
  if (typeof iat !== 'number' || iat < nowS - PROOF_MAX_AGE_S || iat > nowS + PROOF_MAX_FUTURE_S) {
    throw invalid(`The DPoP proof's iat must be within ${PROOF_MAX_AGE_S} seconds of the server's time.`);
  }
  if (expected.accessToken !== undefined && ath !== (await sha256Base64url(expected.accessToken))) {
    throw invalid('The DPoP proof was not made for this access token (ath).');
  }
  return { jti, iat };
}

/**
 * Verifies a proof (section 4.3) and returns the key's thumbprint. The nonce is checked last, once
 * the proof is known to be otherwise good, so that `use_dpop_nonce` is the only thing left to fix.
 */
export async function verifyDpopProof(proof: string, expected: ProofExpectations): Promise<DpopProof> {
  const jwk = checkHeader(proof);
  const payload = await checkSignature(proof);
  const { jti, iat } = await checkClaims(payload, expected);
  const nonce = payload.nonce;
  if (nonce !== undefined && typeof nonce !== 'string') throw invalid('The DPoP proof nonce must be a string.');
  if (!(await expected.isFreshNonce(nonce))) {
    throw new DpopProofError('use_dpop_nonce', nonce === undefined ? 'A DPoP nonce is required.' : 'The DPoP nonce is stale or not ours.');
  }
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), jti, replayableUntil: (iat + PROOF_MAX_AGE_S) * 1000 };
}
