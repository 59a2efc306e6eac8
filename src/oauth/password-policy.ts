import type { BloomFilter } from './bloom-filter';
import { isCommonPassword } from './common-passwords';

/**
 * Long passphrases are welcome (NIST SP 800-63B section 3.1.1.2: at least 64 allowed); the bound
 * keeps one request's hashing cheap, as on the sign-in form.
 */
export const MAX_NEW_PASSWORD_LENGTH = 256;

const KEYBOARD_RUNS = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '9876543210'];

/** One character repeated, or a run along the keyboard or the alphabet: "aaaaaaaa", "34567890". */
function isTrivial(password: string): boolean {
  if (new Set(password).size <= 2) return true;
  return KEYBOARD_RUNS.some((run) => run.includes(password) || `${run}${run}`.includes(password));
}

/**
 * Which rule a new password breaks. The pages say it in the person's language
 * (src/i18n: `passwordProblem`), so the policy names the rule rather than wording it.
 */
export type PasswordProblem =
  | { rule: 'too_short'; limit: number }
  | { rule: 'too_long'; limit: number }
  | { rule: 'common' }
  | { rule: 'contains_email' }
  | { rule: 'breached' };

/**
 * What is wrong with a new password, or undefined (NIST SP
 * 800-63B section 3.1.1.2): long enough, not too long, not a common or breached password, not
 * made of the account's own email. No composition rules. Length counts characters (code points),
 * as a person does.
 */
export function passwordProblem(password: string, minLength: number, email: string, commonPasswords: BloomFilter): PasswordProblem | undefined {
  const length = [...password].length;
  if (length < minLength) return { rule: 'too_short', limit: minLength };
  if (length > MAX_NEW_PASSWORD_LENGTH) return { rule: 'too_long', limit: MAX_NEW_PASSWORD_LENGTH };
  const lower = password.toLowerCase();
  const local = email.toLowerCase().split('@')[0] ?? '';
  if (isCommonPassword(commonPasswords, lower) || isTrivial(lower)) return { rule: 'common' };
  if (local.length >= 4 && lower.includes(local)) return { rule: 'contains_email' };
  return undefined;
}
