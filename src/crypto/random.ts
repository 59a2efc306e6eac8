import { base64url } from 'jose';

/** `bytes` random bytes from the platform CSPRNG, base64url without padding. */
export function randomToken(bytes: number): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}
