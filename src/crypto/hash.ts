import { base64url } from 'jose';

const encoder = new TextEncoder();

export async function sha256(input: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** base64url(SHA-256(input)): how codes, tokens and client secrets are stored, never as themselves. */
export async function sha256Base64url(input: string): Promise<string> {
  return base64url.encode(await sha256(input));
}
