/** TOTP (src/crypto/totp.ts) against RFC 6238 Appendix B, and the pure second-factor decisions. */
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, totpCandidates, totpStep } from '../../src/crypto/totp';
import { emptyAccount } from '../../src/oauth/account-record';
import { acrFor, ACR_MULTI_FACTOR, ACR_SINGLE_FACTOR, isMultiFactor, requestsMultiFactor } from '../../src/oauth/authentication-methods';
import { ACCOUNT_POLICY } from '../../src/oauth/login-throttle';
import { checkSecondFactor, enrolTotp, secondFactorStep } from '../../src/oauth/second-factor';

/** RFC 6238 Appendix B, SHA-1: the seed is the ASCII "12345678901234567890"; 8 digits. */
const SEED = new TextEncoder().encode('12345678901234567890');
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at %i s the SHA-1 code is %s', async (seconds, code) => {
    expect(await hotp(SEED, totpStep(seconds * 1000), 8)).toBe(code);
  });

  it('shows 6 digits by default, the last 6 of the 8', async () => {
    expect(await hotp(SEED, totpStep(59_000))).toBe('287082');
  });

  it('base32 round-trips and forgives spaces and case', () => {
    const secret = base32Encode(SEED);
    expect(secret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode(secret.toLowerCase().replace(/(.{4})/g, '$1 '))).toEqual(SEED);
    expect(base32Decode('not base32!')).toBeUndefined();
  });

  it('the candidates are the steps before, at and after now', async () => {
    const candidates = await totpCandidates(base32Encode(SEED), 59_000);
    expect(candidates.map((c) => c.step)).toEqual([0, 1, 2]);
    expect(candidates[1]!.code).toBe('287082');
  });
});

describe('amr and acr', () => {
  it('a passkey with user verification is multi-factor; without, or a password, is not', () => {
    expect(isMultiFactor(['hwk', 'user'])).toBe(true);
    expect(isMultiFactor(['swk', 'user'])).toBe(true);
    expect(isMultiFactor(['swk'])).toBe(false);
    expect(isMultiFactor(['pwd'])).toBe(false);
    expect(acrFor(['pwd', 'otp', 'mfa'])).toBe(ACR_MULTI_FACTOR);
    expect(acrFor(['pwd'])).toBe(ACR_SINGLE_FACTOR);
  });

  it('acr_values requires MFA only when every known value it lists is the MFA one', () => {
    const asks = (value: string) => requestsMultiFactor(new Map([['acr_values', value]]));
    expect(asks(ACR_MULTI_FACTOR)).toBe(true);
    expect(asks(`urn:other ${ACR_MULTI_FACTOR}`)).toBe(true);
    expect(asks(`${ACR_MULTI_FACTOR} ${ACR_SINGLE_FACTOR}`)).toBe(false);
    expect(asks('urn:other')).toBe(false);
    expect(requestsMultiFactor(new Map())).toBe(false);
  });
});

describe('the second-factor record', () => {
  const now = 1_800_000_000_000;
  const enrolled = () => enrolTotp(emptyAccount(), { secret: 'S', code: '111111', codes: [{ step: 10, code: '111111' }], recoveryCodeHashes: ['h1', 'h2'] }, now).account;

  it('a user with a factor always gives it; one without needs it only where required', () => {
    expect(secondFactorStep(enrolled(), ['pwd'], false)).toBe('challenge');
    expect(secondFactorStep(enrolled(), ['hwk', 'user'], false)).toBeUndefined();
    expect(secondFactorStep(emptyAccount(), ['pwd'], false)).toBeUndefined();
    expect(secondFactorStep(emptyAccount(), ['pwd'], true)).toBe('enrol');
    expect(secondFactorStep({ ...emptyAccount(), factors: { required: true } }, ['pwd'], false)).toBe('enrol');
  });

  it('the confirming step is spent; a later one is accepted once; a code from another secret proves nothing', () => {
    const account = enrolled();
    const check = (code: string, step: number, secret = 'S', from = account) =>
      checkSecondFactor(from, { kind: 'totp', code }, { secret, codes: [{ step, code }] }, ACCOUNT_POLICY, now);
    expect(check('111111', 10).result).toBe('replayed');
    const accepted = check('222222', 11);
    expect(accepted.result).toBe('accepted');
    expect(check('222222', 11, 'S', accepted.account).result).toBe('replayed');
    expect(check('222222', 11, 'other').result).toBe('rejected');
  });

  it('a recovery code is spent when used', () => {
    const used = checkSecondFactor(enrolled(), { kind: 'recovery', codeHash: 'h2' }, { secret: undefined, codes: [] }, ACCOUNT_POLICY, now);
    expect(used.result).toBe('accepted');
    expect(used.account.factors?.recoveryCodes).toEqual(['h1']);
    expect(checkSecondFactor(used.account, { kind: 'recovery', codeHash: 'h2' }, { secret: undefined, codes: [] }, ACCOUNT_POLICY, now).result).toBe('rejected');
  });
});
