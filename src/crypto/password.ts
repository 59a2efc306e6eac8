import { scrypt } from 'node:crypto';
import { base64url } from 'jose';
import { timingSafeEqual } from './timing-safe';

/** The production cap: Workers refuse PBKDF2 with more iterations than this. */
export const MAX_PBKDF2_ITERATIONS = 100_000;

/**
 * scrypt at one of OWASP's equivalent minimums (Password Storage Cheat Sheet): N=2^14, r=8, p=5,
 * 16 MiB. The larger-memory options (N=2^16 and up, 64 MiB and more) come too close to a Worker
 * isolate's 128 MB; workerd runs scrypt synchronously, so one hash at a time holds its memory.
 */
export const SCRYPT = { cost: 2 ** 14, blockSize: 8, parallelism: 5 } as const;

/** How new hashes are made; stored hashes carry their own scheme and parameters. */
export type PasswordHashing =
  | { scheme: 'pbkdf2-sha256'; iterations: number }
  | { scheme: 'scrypt'; cost: number; blockSize: number; parallelism: number };

const SALT_BYTES = 16;
const HASH_BYTES = 32;

export class PasswordHashError extends Error {
  override readonly name = 'PasswordHashError';
  readonly code = 'ERR_PASSWORD_HASH';
}

interface ParsedHash {
  hashing: PasswordHashing;
  salt: Uint8Array;
  hash: Uint8Array;
}

function checkParameters(hashing: PasswordHashing): void {
  if (hashing.scheme === 'pbkdf2-sha256') {
    // Production Workers throw NotSupportedError above the cap while local workerd accepts it:
    // refuse here so a hash that works in development cannot fail in production.
    const { iterations } = hashing;
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
      throw new PasswordHashError(`PBKDF2 iterations must be from 1 to ${MAX_PBKDF2_ITERATIONS}`);
    }
    return;
  }
  const { cost, blockSize, parallelism } = hashing;
  // Bounded so a stored hash cannot make one sign-in allocate more than 32 MiB or run for long.
  const valid = Number.isInteger(Math.log2(cost)) && cost >= 2 && blockSize >= 1 && parallelism >= 1 && 128 * cost * blockSize <= 32 * 2 ** 20 && parallelism <= 16;
  if (!valid) throw new PasswordHashError('scrypt parameters out of range');
}

async function derive(password: string, salt: Uint8Array, hashing: PasswordHashing): Promise<Uint8Array> {
  checkParameters(hashing);
  if (hashing.scheme === 'scrypt') {
    const { cost: N, blockSize: r, parallelism: p } = hashing;
    return new Promise((resolve, reject) =>
      scrypt(password, salt, HASH_BYTES, { N, r, p, maxmem: 128 * N * r + 2 ** 20 }, (error, key) => (error ? reject(error) : resolve(new Uint8Array(key)))),
    );
  }
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: hashing.iterations }, key, HASH_BYTES * 8);
  return new Uint8Array(bits);
}

function parameters(hashing: PasswordHashing): string[] {
  return hashing.scheme === 'scrypt' ? [String(hashing.cost), String(hashing.blockSize), String(hashing.parallelism)] : [String(hashing.iterations)];
}

/**
 * A self-describing hash, so the scheme can be upgraded later: `pbkdf2-sha256$<iterations>$<salt>$<hash>`
 * or `scrypt$<N>$<r>$<p>$<salt>$<hash>`.
 */
export async function hashPassword(password: string, hashing: PasswordHashing): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, hashing);
  return [hashing.scheme, ...parameters(hashing), base64url.encode(salt), base64url.encode(hash)].join('$');
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  const [scheme] = parts;
  const numbers = (values: string[]) => (values.every((value) => /^\d{1,9}$/.test(value)) ? values.map(Number) : undefined);
  try {
    if (scheme === 'pbkdf2-sha256' && parts.length === 4) {
      const [iterations] = numbers(parts.slice(1, 2)) ?? [];
      if (iterations === undefined) return undefined;
      return { hashing: { scheme, iterations }, salt: base64url.decode(parts[2]!), hash: base64url.decode(parts[3]!) };
    }
    if (scheme === 'scrypt' && parts.length === 6) {
      const [cost, blockSize, parallelism] = numbers(parts.slice(1, 4)) ?? [];
      if (cost === undefined || blockSize === undefined || parallelism === undefined) return undefined;
      return { hashing: { scheme, cost, blockSize, parallelism }, salt: base64url.decode(parts[4]!), hash: base64url.decode(parts[5]!) };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Verifies `password` against a stored hash, or against a dummy hash made the configured way when
 * the account is unknown (`stored` undefined), so the answer and its timing do not tell them apart.
 */
export async function verifyPassword(password: string, stored: string | undefined, configured: PasswordHashing): Promise<boolean> {
  const parsed = stored === undefined ? undefined : parseHash(stored);
  if (stored !== undefined && !parsed) throw new PasswordHashError('unrecognised password hash format');
  const target = parsed ?? { hashing: configured, salt: new Uint8Array(SALT_BYTES), hash: new Uint8Array(HASH_BYTES) };
  const actual = await derive(password, target.salt, target.hashing);
  return timingSafeEqual(actual, target.hash) && parsed !== undefined;
}

/**
 * True when a stored hash is not made the configured way, or more cheaply: it is replaced after
 * the next successful sign-in, when the password is known.
 */
export function needsRehash(stored: string, configured: PasswordHashing): boolean {
  const parsed = parseHash(stored)?.hashing;
  if (!parsed || parsed.scheme !== configured.scheme) return true;
  if (parsed.scheme === 'pbkdf2-sha256' && configured.scheme === 'pbkdf2-sha256') return parsed.iterations < configured.iterations;
  if (parsed.scheme === 'scrypt' && configured.scheme === 'scrypt') {
    return parsed.cost * parsed.blockSize * parsed.parallelism < configured.cost * configured.blockSize * configured.parallelism;
  }
  return false;
}

const NO_PASSWORD_TAIL = `$${base64url.encode(new Uint8Array(SALT_BYTES))}$${base64url.encode(new Uint8Array(HASH_BYTES))}`;

/**
 * The stored hash of an account without a password (signed up through an upstream identity
 * provider): in the configured form, so a password sign-in at it costs what any other does, with
 * an all-zero salt and hash that no password derives to.
 */
export function noPasswordHash(hashing: PasswordHashing): string {
  return [hashing.scheme, ...parameters(hashing)].join('$') + NO_PASSWORD_TAIL;
}

export const hasPassword = (stored: string): boolean => !stored.endsWith(NO_PASSWORD_TAIL);
