/** The passkey record's decisions (src/oauth/passkey-record.ts) and the ES256 signature re-encoding (src/oauth/passkey-verification.ts). */
import { describe, expect, it } from 'vitest';
import { addPasskey, consumeChallenge, counterAccepted, emptyPasskeys, MAX_USED_CHALLENGES, passkeyAmr, passkeyName, usePasskey, type StoredPasskey } from '../../src/oauth/passkey-record';
import { paddedEcdsaSignature, verifyPasskeyAssertion } from '../../src/oauth/passkey-verification';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';

const NOW = 1_800_000_000_000;
const passkey: StoredPasskey = {
  publicKey: 'k', algorithm: 'ES256', signCount: 0, transports: [], backupEligible: false, backedUp: false, aaguid: '0', name: 'Key', createdAt: NOW, lastUsedAt: undefined,
};

describe('the passkey record', () => {
  it('accepts the counter when either side is zero or it moved on, refuses it otherwise', () => {
    expect([counterAccepted(0, 0), counterAccepted(0, 5), counterAccepted(5, 0), counterAccepted(5, 6)]).toEqual([true, true, true, true]);
    expect([counterAccepted(5, 5), counterAccepted(5, 4)]).toEqual([false, false]);
  });

  it('spends a challenge once, forgets it after it expired, and bounds how many it remembers', () => {
    const used = consumeChallenge(emptyPasskeys(), 'c1', NOW + 1000, NOW);
    expect(used.ok).toBe(true);
    if (!used.ok) return;
    expect(consumeChallenge(used.record, 'c1', NOW + 1000, NOW)).toEqual({ ok: false, reason: 'challenge_used' });
    expect(consumeChallenge(used.record, 'c1', NOW + 1000, NOW + 1000).ok).toBe(true);
    let record = emptyPasskeys();
    for (let i = 0; i < MAX_USED_CHALLENGES; i++) {
      const next = consumeChallenge(record, `c${i}`, NOW + 1000, NOW);
      if (next.ok) record = next.record;
    }
    expect(consumeChallenge(record, 'one more', NOW + 1000, NOW)).toEqual({ ok: false, reason: 'too_many_challenges' });
  });

  it('refuses a registered id again, a changed backup eligibility, and records the use', () => {
    const added = addPasskey(emptyPasskeys(), 'id', passkey, { id: 'r1', expiresAt: NOW + 1000 }, NOW);
    if (!added.ok) throw new Error(added.reason);
    expect(addPasskey(added.record, 'id', passkey, { id: 'r2', expiresAt: NOW + 1000 }, NOW)).toEqual({ ok: false, reason: 'already_registered' });
    expect(usePasskey(added.record, 'id', { signCount: 0, backupEligible: true, backedUp: true }, { id: 's1', expiresAt: NOW + 1000 }, NOW)).toEqual({ ok: false, reason: 'backup_eligibility_changed' });
    const used = usePasskey(added.record, 'id', { signCount: 3, backupEligible: false, backedUp: false }, { id: 's2', expiresAt: NOW + 1000 }, NOW + 5);
    expect(used.ok && used.value).toMatchObject({ signCount: 3, lastUsedAt: NOW + 5 });
    expect(usePasskey(added.record, 'constructor', { signCount: 0, backupEligible: false, backedUp: false }, { id: 's3', expiresAt: NOW + 1000 }, NOW)).toEqual({ ok: false, reason: 'unknown_credential' });
  });

  it('says hwk for a device-bound passkey and swk for a synced one', () => {
    expect(passkeyAmr({ backupEligible: false })).toEqual(['hwk', 'user']);
    expect(passkeyAmr({ backupEligible: true })).toEqual(['swk', 'user']);
  });

  it('keeps a chosen name to one bounded line, or falls back', () => {
    expect(passkeyName(' Phone\u2028two\n', 'x')).toBe('Phone two');
    expect(passkeyName('   ', 'Fallback')).toBe('Fallback');
    expect(passkeyName('a'.repeat(100), 'x')).toHaveLength(64);
  });
});

describe('ES256 signatures', () => {
  it('verify whatever the length of r and s (the library misreads integers shorter than 32 bytes)', async () => {
    const origin = 'https://auth.example.test';
    const authenticator = new SoftwareAuthenticator({ origin, rpId: 'auth.example.test' });
    const registration = await authenticator.create({ challenge: 'AAAA', userHandle: 'dQ' });
    const stored = { publicKey: registration.response.publicKey, algorithm: 'ES256' as const };
    let short = 0;
    // About 1 signature in 512 has a 31-byte r or s: 10,000 tries find fewer than two about once in 10^7 runs.
    for (let i = 0; short < 2 && i < 10_000; i++) {
      const assertion = await authenticator.get({ challenge: `c${i}` });
      if (Buffer.from(assertion.response.signature, 'base64url').length >= 70) continue;
      short++;
      const verified = await verifyPasskeyAssertion({ ...assertion }, stored, { challenge: `c${i}`, rpId: 'auth.example.test', origins: [origin] });
      expect(verified).toMatchObject({ ok: true });
    }
    expect(short).toBe(2);
  });

  it('refuses what is not a DER signature', () => {
    expect(paddedEcdsaSignature('')).toBeUndefined();
    expect(paddedEcdsaSignature(Buffer.from([0x30, 3, 2, 1, 1]).toString('base64url'))).toBeUndefined();
  });
});
