import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MAX_PBKDF2_ITERATIONS, verifyPassword } from '../src/crypto/password';
import { findUserByEmail } from '../src/db/users';

// The hashing itself is tested in Node (test/unit/password-hashing.test.ts); this needs the seeded D1.
describe('password hashing: PBKDF2-SHA256 within the production cap', () => {
  it('the dev seed user’s hash is at the cap and verifies demo-password', async () => {
    const user = await findUserByEmail(env, 'demo@example.com');
    expect(user?.passwordHash.startsWith(`pbkdf2-sha256$${MAX_PBKDF2_ITERATIONS}$`)).toBe(true);
    expect(await verifyPassword('demo-password', user!.passwordHash, { scheme: 'pbkdf2-sha256', iterations: MAX_PBKDF2_ITERATIONS })).toBe(true);
  });
});
