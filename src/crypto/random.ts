import { base64url } from 'jose';

/** `bytes` random bytes from the platform CSPRNG, base64url without padding. */
export function randomToken(bytes: number): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Lower-case letters and digits without look-alikes (Crockford's base32): easy to read out or type. */
const READABLE = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A short id for one error, shown to the person and logged with the private detail: 10 characters,
 * 50 random bits, enough to find one line among a day's errors. Not a secret and not a token.
 */
export function correlationId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(10)), (byte) => READABLE[byte & 31]).join('');
}
