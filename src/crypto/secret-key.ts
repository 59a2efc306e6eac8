const encoder = new TextEncoder();

/**
 * An AES-GCM key (for `seal`) from a secret string of any length: its SHA-256. The secret is an
 * operator's random value (a wrangler secret), so no slow derivation is needed.
 */
export async function aesKeyFromSecret(secret: string): Promise<CryptoKey> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(secret));
  return crypto.subtle.importKey('raw', digest, 'AES-GCM', false, ['encrypt', 'decrypt']);
}
