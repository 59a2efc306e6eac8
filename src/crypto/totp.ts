/**
 * TOTP (RFC 6238) with the parameters every authenticator app understands: HMAC-SHA-1, 6 digits,
 * 30-second steps. Secrets are raw bytes here; base32 (RFC 4648 section 6) is how people and
 * `otpauth://` URIs carry them.
 */
export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + BASE32[(buffer << (5 - bits)) & 31] : out;
}

/** Undefined when the text is not base32 (spaces and case are forgiven, as people type them). */
export function base32Decode(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32.indexOf(char);
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** A new 160-bit secret (RFC 4226 section 4 recommends 160 bits), base32. */
export function newTotpSecret(): string {
  return base32Encode(crypto.getRandomValues(new Uint8Array(20)));
}

/** The time step of a moment (ms since the epoch). */
export const totpStep = (now: number): number => Math.floor(now / 1000 / TOTP_STEP_SECONDS);

/** HOTP (RFC 4226 section 5.3) of one counter value, `digits` long. */
export async function hotp(secret: Uint8Array, counter: number, digits = TOTP_DIGITS): Promise<string> {
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const message = new DataView(new ArrayBuffer(8));
  message.setUint32(0, Math.floor(counter / 2 ** 32));
  message.setUint32(4, counter >>> 0);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message.buffer));
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The codes of the steps around `now` (±`window` steps, RFC 6238 section 5.2), each with its step. */
export async function totpCandidates(secretBase32: string, now: number, window = 1): Promise<{ step: number; code: string }[]> {
  const secret = base32Decode(secretBase32);
  if (!secret) return [];
  const current = totpStep(now);
  const steps = Array.from({ length: 2 * window + 1 }, (_, i) => current - window + i);
  return Promise.all(steps.map(async (step) => ({ step, code: await hotp(secret, step) })));
}
