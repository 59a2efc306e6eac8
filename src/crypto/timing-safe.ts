const encoder = new TextEncoder();

/**
 * Compares two secrets without leaking where they differ: every byte is visited and the result is
 * accumulated without a branch. Only the lengths may leak, and callers compare values of public,
 * fixed length (hashes, S256 outputs). Plain JavaScript, so protocol code runs in Node tests too.
 */
export function timingSafeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const left = typeof a === 'string' ? encoder.encode(a) : a;
  const right = typeof b === 'string' ? encoder.encode(b) : b;
  // A length mismatch still walks the left value, so it takes as long as a content mismatch.
  const other = left.byteLength === right.byteLength ? right : left;
  let difference = left.byteLength ^ right.byteLength;
  for (let i = 0; i < left.byteLength; i++) difference |= left[i]! ^ other[i]!;
  return difference === 0;
}
