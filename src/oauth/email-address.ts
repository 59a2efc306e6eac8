/** RFC 5321 section 4.5.3.1.3: a path is at most 256 octets, so an address at most 254 characters. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * The shape of an address a person can receive mail at: one `@`, a dot in the domain, no spaces or
 * angle brackets. Whether it exists is for the confirmation mail to prove.
 */
export function isEmailAddress(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(value);
}
