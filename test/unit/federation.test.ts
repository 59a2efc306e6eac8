import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { hasPassword, hashPassword, noPasswordHash, verifyPassword } from '../../src/crypto/password';
import type { ConnectionRow } from '../../src/db/schema';
import { appleClientSecret } from '../../src/http/upstream-server';
import { appleUserName, claimTrue } from '../../src/oauth/connection-presets';

const PBKDF2 = { scheme: 'pbkdf2-sha256', iterations: 1000 } as const;

describe('an account without a password', () => {
  it('has a hash in the configured form that no password matches, and says so', async () => {
    const stored = noPasswordHash(PBKDF2);
    expect(stored.startsWith('pbkdf2-sha256$1000$')).toBe(true);
    expect(hasPassword(stored)).toBe(false);
    expect(await verifyPassword('', stored, PBKDF2)).toBe(false);
    expect(await verifyPassword('anything', stored, PBKDF2)).toBe(false);
    expect(hasPassword(await hashPassword('a real password', PBKDF2))).toBe(true);
  });
});

describe("Apple's pieces", () => {
  it('the client secret is an ES256 JWT of the team for the Services ID, for Apple, valid 5 minutes', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const row = { clientId: 'com.example.signin', appleTeamId: 'ABCDE12345', appleKeyId: 'KEY1234567' } as ConnectionRow;
    const secret = await appleClientSecret(row, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(decodeProtectedHeader(secret)).toEqual({ alg: 'ES256', kid: 'KEY1234567' });
    const { payload } = await jwtVerify(secret, await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'ES256'), {
      issuer: 'ABCDE12345',
      subject: 'com.example.signin',
      audience: 'https://appleid.apple.com',
    });
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('reads the name of the first sign-in, and nothing from anything else', () => {
    expect(appleUserName('{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"x@privaterelay.appleid.com"}')).toBe('Ada Lovelace');
    expect(appleUserName('{"name":{"firstName":"Ada"}}')).toBe('Ada');
    expect(appleUserName('not json')).toBeUndefined();
    expect(appleUserName('{"name":{"firstName":42}}')).toBeUndefined();
    expect(appleUserName(`{"name":{"firstName":"${'a'.repeat(2000)}"}}`)).toBeUndefined();
    expect(appleUserName(undefined)).toBeUndefined();
  });

  it('takes email_verified as Apple sends it (a string) and as others do (a boolean)', () => {
    expect([claimTrue(true), claimTrue('true'), claimTrue(false), claimTrue('false'), claimTrue(undefined), claimTrue(1)]).toEqual([true, true, false, false, false, false]);
  });
});
