/**
 * A Bloom filter over strings (UTF-8 bytes): "maybe in the set" or "certainly not", in a fixed
 * number of bits. Two FNV-1a hashes combined (Kirsch and Mitzenmacher) stand for the k hashes.
 * No imports, so scripts/build-password-filter.mjs builds the same filter with this very code.
 */
export interface BloomFilter {
  /** Number of bits (m). */
  bits: number;
  /** Number of hash functions (k). */
  hashes: number;
  data: Uint8Array;
}

const encoder = new TextEncoder();

function fnv1a(bytes: Uint8Array, seed: number): number {
  let hash = seed >>> 0;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** The filter's bit positions for `value`. */
export function bitPositions(value: string, bits: number, hashes: number): number[] {
  const bytes = encoder.encode(value);
  const first = fnv1a(bytes, 0x811c9dc5);
  // Odd, so the steps cycle through every position.
  const step = fnv1a(bytes, 0x5bd1e995) | 1;
  return Array.from({ length: hashes }, (_, i) => ((first + Math.imul(i, step)) >>> 0) % bits);
}

export function mayContain(filter: BloomFilter, value: string): boolean {
  return bitPositions(value, filter.bits, filter.hashes).every((bit) => ((filter.data[bit >>> 3] ?? 0) >> (bit & 7)) & 1);
}

export function buildFilter(values: Iterable<string>, bits: number, hashes: number): BloomFilter {
  const data = new Uint8Array(Math.ceil(bits / 8));
  for (const value of values) {
    for (const bit of bitPositions(value, bits, hashes)) data[bit >>> 3]! |= 1 << (bit & 7);
  }
  return { bits, hashes, data };
}
