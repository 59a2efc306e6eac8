import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MAX_PBKDF2_ITERATIONS, ConfigError, parseConfig } from '../src/config';
import { hashPassword, needsRehash, PasswordHashError, verifyPassword } from '../src/crypto/password';
import { findUserByEmail } from '../src/db/users';

describe('password hashing: PBKDF2-SHA256 within the production cap', () => {
  it('hashes with a per-user salt and the scheme and cost in the stored value', async () => {
    const a = await hashPassword('correct horse', 1000);
    const b = await hashPassword('correct horse', 1000);
    expect(a).toMatch(/^pbkdf2-sha256\$1000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a, 1000)).toBe(true);
    expect(await verifyPassword('correct horsf', a, 1000)).toBe(false);
  });

  it('verifies at the cost stored with the hash, not the configured one', async () => {
    const stored = await hashPassword('pw', 2000);
    expect(await verifyPassword('pw', stored, MAX_PBKDF2_ITERATIONS)).toBe(true);
    expect(needsRehash(stored, MAX_PBKDF2_ITERATIONS)).toBe(true);
    expect(needsRehash(stored, 2000)).toBe(false);
  });

  it('refuses more than 100,000 iterations, which production Workers reject', async () => {
    expect(MAX_PBKDF2_ITERATIONS).toBe(100_000);
    await expect(hashPassword('pw', 100_001)).rejects.toBeInstanceOf(PasswordHashError);
    const tooCostly = (await hashPassword('pw', 1000)).replace('$1000$', '$100001$');
    await expect(verifyPassword('pw', tooCostly, 1000)).rejects.toBeInstanceOf(PasswordHashError);
    expect(() => parseConfig({ ISSUER: 'https://a.example', PASSWORD_HASH_ITERATIONS: '100001' })).toThrow(ConfigError);
  });

  it('accepts exactly the cap', async () => {
    const stored = await hashPassword('pw', MAX_PBKDF2_ITERATIONS);
    expect(await verifyPassword('pw', stored, MAX_PBKDF2_ITERATIONS)).toBe(true);
  });

  it('answers false for an unknown account after doing the same work', async () => {
    expect(await verifyPassword('anything', undefined, 1000)).toBe(false);
  });

  it('refuses a stored hash it does not understand rather than guessing', async () => {
    await expect(verifyPassword('pw', 'md5$abc', 1000)).rejects.toBeInstanceOf(PasswordHashError);
  });

  it('the dev seed user’s hash is at the cap and verifies demo-password', async () => {
    const user = await findUserByEmail(env, 'demo@example.com');
    expect(user?.passwordHash.startsWith(`pbkdf2-sha256$${MAX_PBKDF2_ITERATIONS}$`)).toBe(true);
    expect(await verifyPassword('demo-password', user!.passwordHash, MAX_PBKDF2_ITERATIONS)).toBe(true);
  });
});

describe('configuration', () => {
  it('takes the issuer from configuration and refuses a bad one', () => {
    expect(parseConfig({ ISSUER: 'https://auth.example.com/' }).issuer).toBe('https://auth.example.com');
    expect(parseConfig({ ISSUER: 'https://auth.example.com' }).secureCookies).toBe(true);
    expect(parseConfig({ ISSUER: 'http://127.0.0.1:8787' }).secureCookies).toBe(false);
    for (const issuer of [undefined, '', 'not a url', 'ftp://a.example', 'https://a.example/?x=1', 'https://a.example/#f']) {
      expect(() => parseConfig({ ISSUER: issuer })).toThrow(ConfigError);
    }
  });

  it('refuses lifetimes that are not whole numbers in range', () => {
    for (const value of ['0', '-1', '1.5', 'abc', '601']) {
      expect(() => parseConfig({ ISSUER: 'https://a.example', AUTHORIZATION_CODE_TTL_SECONDS: value })).toThrow(ConfigError);
    }
    expect(parseConfig({ ISSUER: 'https://a.example' }).authorizationCodeTtlSeconds).toBe(60);
  });
});
