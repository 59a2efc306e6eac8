/** Password hashing (src/crypto/password.ts): PBKDF2-SHA256 and scrypt, self-describing, upgradable. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';
import { hashPassword, MAX_PBKDF2_ITERATIONS, needsRehash, PasswordHashError, SCRYPT, verifyPassword, type PasswordHashing } from '../../src/crypto/password';
import { PBKDF2_FAST } from '../helpers/fixtures';

const pbkdf2 = (iterations: number): PasswordHashing => ({ scheme: 'pbkdf2-sha256', iterations });
const SCRYPT_HASHING: PasswordHashing = { scheme: 'scrypt', ...SCRYPT };
/** Cheap scrypt for the tests that are not about its cost. */
const SCRYPT_FAST: PasswordHashing = { scheme: 'scrypt', cost: 1024, blockSize: 8, parallelism: 1 };

describe('PBKDF2-SHA256', () => {
  it('salts every hash and verifies only the right password', async () => {
    const a = await hashPassword('correct horse', PBKDF2_FAST);
    const b = await hashPassword('correct horse', PBKDF2_FAST);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^pbkdf2-sha256\$1000\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse', a, PBKDF2_FAST)).toBe(true);
    expect(await verifyPassword('correct horsf', a, PBKDF2_FAST)).toBe(false);
  });

  it('verifies with the stored cost and asks for a rehash when it is below the configured one', async () => {
    const stored = await hashPassword('pw', pbkdf2(2000));
    expect(await verifyPassword('pw', stored, pbkdf2(MAX_PBKDF2_ITERATIONS))).toBe(true);
    expect(needsRehash(stored, pbkdf2(MAX_PBKDF2_ITERATIONS))).toBe(true);
    expect(needsRehash(stored, pbkdf2(2000))).toBe(false);
  });

  it('refuses more iterations than production Workers allow, to hash, to verify or to configure', async () => {
    expect(MAX_PBKDF2_ITERATIONS).toBe(100_000);
    expect(() => parseConfig({ ISSUER: 'https://a.example', PASSWORD_HASH_SCHEME: 'pbkdf2-sha256', PASSWORD_HASH_ITERATIONS: '100001' })).toThrow(ConfigError);
    await expect(hashPassword('pw', pbkdf2(100_001))).rejects.toBeInstanceOf(PasswordHashError);
    const tooCostly = (await hashPassword('pw', PBKDF2_FAST)).replace('$1000$', '$100001$');
    await expect(verifyPassword('pw', tooCostly, PBKDF2_FAST)).rejects.toBeInstanceOf(PasswordHashError);
  });

  it('works at the production cap', async () => {
    const stored = await hashPassword('pw', pbkdf2(MAX_PBKDF2_ITERATIONS));
    expect(await verifyPassword('pw', stored, pbkdf2(MAX_PBKDF2_ITERATIONS))).toBe(true);
  });
});

describe('scrypt', () => {
  it('hashes at OWASP’s N=2^14, r=8, p=5 by default and verifies only the right password', async () => {
    expect(SCRYPT).toEqual({ cost: 16384, blockSize: 8, parallelism: 5 });
    const stored = await hashPassword('correct horse', SCRYPT_HASHING);
    expect(stored).toMatch(/^scrypt\$16384\$8\$5\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse', stored, SCRYPT_HASHING)).toBe(true);
    expect(await verifyPassword('correct horsf', stored, SCRYPT_HASHING)).toBe(false);
  });

  it('upgrades PBKDF2 hashes and cheaper scrypt hashes, and leaves the configured one alone', async () => {
    expect(needsRehash(await hashPassword('pw', pbkdf2(MAX_PBKDF2_ITERATIONS)), SCRYPT_HASHING)).toBe(true);
    expect(needsRehash(await hashPassword('pw', SCRYPT_FAST), SCRYPT_HASHING)).toBe(true);
    expect(needsRehash(await hashPassword('pw', SCRYPT_HASHING), SCRYPT_HASHING)).toBe(false);
    // A PBKDF2 hash still verifies while scrypt is configured: nobody is locked out by the change.
    const legacy = await hashPassword('pw', PBKDF2_FAST);
    expect(await verifyPassword('pw', legacy, SCRYPT_HASHING)).toBe(true);
  });

  it('refuses parameters that would let a stored hash cost more than 32 MiB', async () => {
    const stored = await hashPassword('pw', SCRYPT_FAST);
    const huge = stored.replace('$1024$8$1$', '$65536$8$1$');
    await expect(verifyPassword('pw', huge, SCRYPT_FAST)).rejects.toBeInstanceOf(PasswordHashError);
    await expect(hashPassword('pw', { scheme: 'scrypt', cost: 1000, blockSize: 8, parallelism: 1 })).rejects.toBeInstanceOf(PasswordHashError);
  });
});

describe('configuration', () => {
  it('makes new hashes with scrypt unless PBKDF2 is chosen', () => {
    expect(parseConfig({ ISSUER: 'https://a.example' }).passwordHashing).toEqual(SCRYPT_HASHING);
    expect(parseConfig({ ISSUER: 'https://a.example', PASSWORD_HASH_SCHEME: 'pbkdf2-sha256' }).passwordHashing).toEqual(pbkdf2(MAX_PBKDF2_ITERATIONS));
    expect(() => parseConfig({ ISSUER: 'https://a.example', PASSWORD_HASH_SCHEME: 'bcrypt' })).toThrow(ConfigError);
  });
});

describe('unknown accounts', () => {
  it('pay a hash made the configured way and are never verified', async () => {
    expect(await verifyPassword('anything', undefined, PBKDF2_FAST)).toBe(false);
    expect(await verifyPassword('anything', undefined, SCRYPT_FAST)).toBe(false);
  });

  it('refuses a stored hash it does not recognise rather than treating it as wrong', async () => {
    await expect(verifyPassword('pw', 'md5$abc', PBKDF2_FAST)).rejects.toBeInstanceOf(PasswordHashError);
    await expect(verifyPassword('pw', 'scrypt$16384$8$5$bad', PBKDF2_FAST)).rejects.toBeInstanceOf(PasswordHashError);
  });
});
