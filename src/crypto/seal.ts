import { base64url } from 'jose';

const IV_BYTES = 12;
const encoder = new TextEncoder();

/**
 * Authenticated encryption (AES-GCM) of a JSON value for a cookie. `purpose` is bound as
 * additional data so a value sealed for one use cannot be replayed as another.
 */
export async function seal(key: CryptoKey, purpose: string, value: unknown): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = encoder.encode(JSON.stringify(value));
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(purpose) }, key, plaintext);
  const out = new Uint8Array(IV_BYTES + ciphertext.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ciphertext), IV_BYTES);
  return base64url.encode(out);
}

/** Returns the sealed value, or undefined when it was tampered with, sealed for another purpose or is not ours. */
export async function unseal(key: CryptoKey, purpose: string, sealed: string): Promise<unknown> {
  try {
    const bytes = base64url.decode(sealed);
    if (bytes.byteLength <= IV_BYTES) return undefined;
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: encoder.encode(purpose) },
      key,
      bytes.subarray(IV_BYTES),
    );
    return JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    return undefined;
  }
}
