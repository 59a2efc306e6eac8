const encoder = new TextEncoder();

/**
 * Compares two secrets without leaking where they differ. Only the lengths may leak, and callers
 * compare values of public, fixed length (hashes, S256 outputs).
 */
export function timingSafeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const left = typeof a === 'string' ? encoder.encode(a) : a;
  const right = typeof b === 'string' ? encoder.encode(b) : b;
  if (left.byteLength !== right.byteLength) {
    // Still do the work, so a length mismatch takes as long as a content mismatch.
    crypto.subtle.timingSafeEqual(left, left);
    return false;
  }
  return crypto.subtle.timingSafeEqual(left, right);
}
