import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFilter, isCommonPassword } from '../../src/oauth/common-passwords';
import { MAX_NEW_PASSWORD_LENGTH, passwordProblem as policy } from '../../src/oauth/password-policy';

const EMAIL = 'marguerite@example.com';
/** The file the worker reads through its assets binding. */
const FILTER_FILE = readFileSync('src/static/common-passwords.bin');
const FILTER = decodeFilter(new Uint8Array(FILTER_FILE));
const passwordProblem = (password: string, minLength: number, email: string) => policy(password, minLength, email, FILTER);

describe('new passwords (NIST SP 800-63B section 3.1.1.2)', () => {
  it('takes long phrases and passwords with no composition at all', () => {
    for (const password of ['correct horse battery staple', 'abcdefghijklmnopqrstuvwxyzq', 'ñandú sobre el puente', 'x'.repeat(3) + 'yz1234']) {
      expect(passwordProblem(password, 8, EMAIL), password).toBeUndefined();
    }
    expect(passwordProblem('lighthouse keeper tide '.repeat(11).slice(0, MAX_NEW_PASSWORD_LENGTH), 8, EMAIL)).toBeUndefined();
  });

  it('counts characters as a person does: four emoji are four characters, not eight', () => {
    expect(passwordProblem('🦘🐨🐧🦉', 4, EMAIL)).toBeUndefined();
    expect(passwordProblem('🦘🦘🐨', 4, EMAIL)).toEqual({ rule: 'too_short', limit: 4 });
  });

  it('refuses short and overlong passwords with the limit in the reason', () => {
    expect(passwordProblem('seven77', 8, EMAIL)).toEqual({ rule: 'too_short', limit: 8 });
    expect(passwordProblem('a'.repeat(11) + 'bcd', 15, EMAIL)).toEqual({ rule: 'too_short', limit: 15 });
    expect(passwordProblem('ab'.repeat(129), 8, EMAIL)).toEqual({ rule: 'too_long', limit: MAX_NEW_PASSWORD_LENGTH });
  });

  it('refuses common passwords from the breach lists, whatever their case', () => {
    // From the head of the filter's source list (scripts/build-password-filter.mjs), and further down.
    const common = ['password', '12345678', 'baseball', 'football', 'qwertyuiop', 'superman', '1qaz2wsx', 'jennifer', 'trustno1', 'sunshine',
      'iloveyou', 'starwars', 'princess', 'corvette', 'mercedes', 'steelers', 'whatever', 'computer', 'michelle', 'maverick'];
    for (const password of common) expect(passwordProblem(password.toUpperCase(), 8, EMAIL), password).toEqual({ rule: 'common' });
  });

  it('takes almost every password that is not on the list: about one in 200 is refused by mistake', () => {
    const random = () => Array.from(crypto.getRandomValues(new Uint8Array(9)), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');
    let refused = 0;
    for (let i = 0; i < 20_000; i++) if (isCommonPassword(FILTER, random())) refused++;
    expect(refused / 20_000).toBeLessThan(0.01);
  });

  it('decodes the filter file: its hash count, then 11 bits for each of the 10,000 passwords', () => {
    expect(FILTER.hashes).toBe(8);
    expect(FILTER.bits).toBe(110_000);
    expect(FILTER.data.length).toBe(FILTER_FILE.length - 1);
  });

  it('refuses one repeated character and runs along the keyboard or the digits', () => {
    for (const password of ['aaaaaaaaaa', 'abababababab', '23456789', 'qwertyuiop', 'poiuytrewq'.split('').reverse().join(''), '9012345678', 'lkjhgfdsa'.split('').reverse().join('')]) {
      expect(passwordProblem(password, 8, EMAIL), password).toEqual({ rule: 'common' });
    }
  });

  it('refuses a password made of the email’s name', () => {
    expect(passwordProblem('Marguerite2026', 8, EMAIL)).toEqual({ rule: 'contains_email' });
    // A short local part is not a meaningful match.
    expect(passwordProblem('bobsled race day', 8, 'bob@example.com')).toBeUndefined();
  });
});
