import { mayContain, type BloomFilter } from './bloom-filter';

/** The filter's file: one byte for the number of hashes, then the bits (scripts/build-password-filter.mjs). */
export function decodeFilter(bytes: Uint8Array): BloomFilter {
  return { hashes: bytes[0] ?? 0, bits: Math.max(bytes.length - 1, 0) * 8, data: bytes.subarray(1) };
}

/**
 * Whether a (lower-case) password may be among the 10,000 most common of 8 or more characters,
 * from public breach corpora (the filter is read by src/interaction/static-data.ts): about one
 * password in 200 not on it is taken for a common one, and the person is asked for another.
 */
export function isCommonPassword(filter: BloomFilter, lowerCase: string): boolean {
  return mayContain(filter, lowerCase);
}
