import type { AppContext } from '../http/context';
import type { Messages } from '../i18n/messages';
import { breachCount, rangeQuery } from '../oauth/breached-password';
import { passwordProblem, type PasswordProblem } from '../oauth/password-policy';
import { commonPasswordFilter } from './static-data';

/** The range service answers in well under a second; a slower answer is not waited for. */
const RANGE_TIMEOUT_MS = 1500;

/** The rule a refused password broke, in the words of the person's language. */
export function describePasswordProblem(problem: PasswordProblem, t: Messages): string {
  switch (problem.rule) {
    case 'too_short':
      return t.passwordTooShort(String(problem.limit));
    case 'too_long':
      return t.passwordTooLong(String(problem.limit));
    case 'common':
      return t.passwordTooCommon;
    case 'contains_email':
      return t.passwordHasEmail;
    case 'breached':
      return t.passwordBreached;
  }
}

/**
 * What is wrong with a new password, said in `t`'s language: the policy's rules, then (with BREACHED_PASSWORD_CHECK on)
 * whether Pwned Passwords has seen it in a breach. The online check fails open: when the service
 * cannot be reached the password is judged by the shipped list alone, and the failure is logged.
 */
export async function newPasswordProblem(c: AppContext, password: string, email: string, t: Messages): Promise<string | undefined> {
  const problem = await brokenRule(c, password, email);
  return problem && describePasswordProblem(problem, t);
}

async function brokenRule(c: AppContext, password: string, email: string): Promise<PasswordProblem | undefined> {
  const { config } = c.var;
  const problem = passwordProblem(password, config.passwordMinLength, email, await commonPasswordFilter(c.env));
  if (problem || !config.breachedPasswordRangeUrl) return problem;
  try {
    const { prefix, suffix } = await rangeQuery(password);
    const response = await fetch(`${config.breachedPasswordRangeUrl}${prefix}`, { headers: { 'Add-Padding': 'true' }, signal: AbortSignal.timeout(RANGE_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`status ${response.status}`);
    if (breachCount(await response.text(), suffix) > 0) return { rule: 'breached' };
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    console.error(JSON.stringify({ level: 'warn', event: 'breached_password_check_failed', reason }));
  }
  return undefined;
}
