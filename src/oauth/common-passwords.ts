import { mayContain, type BloomFilter } from './bloom-filter';

let loading: Promise<BloomFilter> | undefined;

/** The filter's file: one byte for the number of hashes, then the bits (scripts/build-password-filter.mjs). */
export function decodeFilter(bytes: Uint8Array): BloomFilter {
  return { hashes: bytes[0] ?? 0, bits: Math.max(bytes.length - 1, 0) * 8, data: bytes.subarray(1) };
}

/**
 * The 10,000 most common passwords of 8 or more characters, from public breach corpora, as a
 * Bloom filter: 13 KiB read once per isolate from the static assets (src/static), and only when a
 * new password is judged, so sign-ins and tokens never load it. A failed read fails the request
 * (and the next one reads again) rather than letting a common password through.
 */
export function commonPasswordFilter(env: Env): Promise<BloomFilter> {
  loading ??= env.ASSETS.fetch('https://assets.invalid/common-passwords.bin')
    .then(async (response) => {
      if (!response.ok) throw new Error(`common-passwords.bin: ${response.status}`);
      return decodeFilter(new Uint8Array(await response.arrayBuffer()));
    })
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

/** Whether a (lower-case) password may be on the list: about one password in 200 not on it is taken for a common one, and the person is asked for another. */
export function isCommonPassword(filter: BloomFilter, lowerCase: string): boolean {
  return mayContain(filter, lowerCase);
}
