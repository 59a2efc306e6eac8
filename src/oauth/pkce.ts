import { base64url } from 'jose';
import { sha256 } from '../crypto/hash';
import { timingSafeEqual } from '../crypto/timing-safe';

/** base64url of a SHA-256 digest: exactly 43 characters (RFC 7636 section 4.2). */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 section 4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export function isS256Challenge(value: string): boolean {
  return S256_CHALLENGE.test(value);
}

export function isCodeVerifier(value: string): boolean {
  return CODE_VERIFIER.test(value);
}

/** BASE64URL(SHA256(ASCII(code_verifier))) */
export async function s256(verifier: string): Promise<string> {
  return base64url.encode(await sha256(verifier));
}

export type PkceFailure = 'verifier_required' | 'verifier_mismatch' | 'verifier_unexpected';

/**
 * The PKCE check at redemption (RFC 7636 section 4.6), on the S256 of the presented verifier, so
 * that the hashing happens before the atomic step. A verifier for a code issued without a
 * challenge is a PKCE downgrade (RFC 9700 section 2.1.1).
 */
export function checkPkce(codeChallenge: string | undefined, verifierChallenge: string | undefined): PkceFailure | undefined {
  if (codeChallenge === undefined) return verifierChallenge === undefined ? undefined : 'verifier_unexpected';
  if (verifierChallenge === undefined) return 'verifier_required';
  return timingSafeEqual(verifierChallenge, codeChallenge) ? undefined : 'verifier_mismatch';
}
