import { mayContain, type BloomFilter } from './bloom-filter';
import { COMMON_PASSWORD_FILTER } from './common-password-filter';

let filter: BloomFilter | undefined;

/**
 * Whether a (lower-case) password is among the 10,000 most common of 8 or more characters, from
 * public breach corpora (scripts/build-password-filter.mjs). A Bloom filter keeps the list in
 * 13 KiB of the bundle; about one password in 200 not on it is taken for a common one, and the
 * person is asked for another. Decoded once per isolate.
 */
export function isCommonPassword(lowerCase: string): boolean {
  filter ??= { bits: COMMON_PASSWORD_FILTER.bits, hashes: COMMON_PASSWORD_FILTER.hashes, data: Uint8Array.from(atob(COMMON_PASSWORD_FILTER.base64), (char) => char.charCodeAt(0)) };
  return mayContain(filter, lowerCase);
}
