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

/** @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6 */
export async function verifyPkce(verifier: string, challenge: string): Promise<boolean> {
  if (!isCodeVerifier(verifier)) return false;
  return timingSafeEqual(await s256(verifier), challenge);
}
