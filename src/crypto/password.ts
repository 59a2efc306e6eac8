import { base64url } from 'jose';
import { timingSafeEqual } from './timing-safe';

/** The production cap: Workers refuse PBKDF2 with more iterations than this. */
export const MAX_PBKDF2_ITERATIONS = 100_000;

const SCHEME = 'pbkdf2-sha256';
const SALT_BYTES = 16;
const HASH_BYTES = 32;

export class PasswordHashError extends Error {
  override readonly name = 'PasswordHashError';
  readonly code = 'ERR_PASSWORD_HASH';
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

function checkIterations(iterations: number): void {
  // Production Workers throw NotSupportedError above the cap while local workerd accepts it:
  // refuse here so a hash that works in development cannot fail in production.
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new PasswordHashError(`PBKDF2 iterations must be from 1 to ${MAX_PBKDF2_ITERATIONS}`);
  }
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  checkIterations(iterations);
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, HASH_BYTES * 8);
  return new Uint8Array(bits);
}

/** Returns `pbkdf2-sha256$<iterations>$<salt>$<hash>`: the scheme and its parameters travel with the hash. */
export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return [SCHEME, iterations, base64url.encode(salt), base64url.encode(hash)].join('$');
}

function parseHash(stored: string): ParsedHash | undefined {
  const [scheme, iterations, salt, hash, ...rest] = stored.split('$');
  if (scheme !== SCHEME || rest.length > 0 || !iterations || !salt || !hash) return undefined;
  try {
    return { iterations: Number(iterations), salt: base64url.decode(salt), hash: base64url.decode(hash) };
  } catch {
    return undefined;
  }
}

/** Stands in for the hash of an account that does not exist, so unknown users cost the same time. */
let dummy: ParsedHash | undefined;

/**
 * Verifies `password` against a stored hash, or against a dummy hash of the same cost when the
 * account is unknown (`stored` undefined), so the answer and its timing do not tell them apart.
 */
export async function verifyPassword(password: string, stored: string | undefined, iterations: number): Promise<boolean> {
  const parsed = stored === undefined ? undefined : parseHash(stored);
  if (stored !== undefined && !parsed) throw new PasswordHashError('unrecognised password hash format');
  dummy ??= { iterations, salt: new Uint8Array(SALT_BYTES), hash: new Uint8Array(HASH_BYTES) };
  const target = parsed ?? { ...dummy, iterations };
  const actual = await derive(password, target.salt, target.iterations);
  return timingSafeEqual(actual, target.hash) && parsed !== undefined;
}

/** True when a stored hash is weaker than the configured cost and should be replaced after a successful login. */
export function needsRehash(stored: string, iterations: number): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.iterations < iterations;
}
