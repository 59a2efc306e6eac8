import { timingSafeEqual } from '../crypto/timing-safe';
import { isMultiFactor } from './authentication-methods';
import { lockedUntil, withFailure, type ThrottlePolicy } from './login-throttle';

/**
 * A user's second factors, kept in the user's object beside the sessions they guard (in the
 * account record): an authenticator app's TOTP secret and the hashes of the recovery codes. The
 * secret stays in the object: it is compared there, so the check, the replay refusal and the
 * failure count are one synchronous step, and it never travels after enrolment.
 */
export interface SecondFactors {
  totp?: { secret: string; createdAt: number; lastUsedStep: number; lastUsedAt?: number | undefined } | undefined;
  /** SHA-256 of each unused recovery code. */
  recoveryCodes?: string[] | undefined;
  /** Set by an operator: this user needs a second factor whatever the client. */
  required?: boolean | undefined;
}

/** The part of the account record (src/oauth/account-record.ts) these decisions read and change. */
export interface FactorHolder {
  failures: Record<string, number[]>;
  factors?: SecondFactors | undefined;
}

/** Wrong codes are counted under this key, apart from the password's, so a right password does not clear them. */
export const SECOND_FACTOR_KEY = 'second-factor';
export const RECOVERY_CODE_COUNT = 10;

export const factorsOf = (account: FactorHolder): SecondFactors => account.factors ?? {};
export const hasTotp = (account: FactorHolder): boolean => factorsOf(account).totp !== undefined;

/**
 * What a sign-in of these methods still needs before its session may open: nothing, a code from
 * the user's factor (`challenge`), or enrolment of one (`enrol`: the client, the request's
 * `acr_values` or an operator requires a second factor the user does not have). A user who has a
 * factor always uses it: a password alone never opens a session of theirs.
 */
export function secondFactorStep(account: FactorHolder, amr: readonly string[], requireMfa: boolean): 'challenge' | 'enrol' | undefined {
  if (isMultiFactor(amr)) return undefined;
  if (hasTotp(account)) return 'challenge';
  return requireMfa || factorsOf(account).required ? 'enrol' : undefined;
}

/** What the user's object is given to check: the code typed, or a recovery code's hash. */
export type FactorProof = { kind: 'totp'; code: string } | { kind: 'recovery'; codeHash: string };

export type FactorCheck = 'accepted' | 'rejected' | 'replayed' | 'locked' | 'not_enrolled';

/**
 * Checks a second factor (RFC 6238 section 5.2): a code of the steps around now (`candidates`,
 * computed from `secret` before this synchronous step) that is later than the last step used, or an
 * unused recovery code, which is spent. Wrong proofs count toward the second factor's own lock.
 */
export function checkSecondFactor<A extends FactorHolder>(
  account: A,
  proof: FactorProof,
  candidates: { secret: string | undefined; codes: { step: number; code: string }[] },
  policy: ThrottlePolicy,
  now: number,
): { account: A; result: FactorCheck } {
  const failures = account.failures[SECOND_FACTOR_KEY] ?? [];
  if (lockedUntil(failures, policy, now) > now) return { account, result: 'locked' };
  const factors = factorsOf(account);
  if (!factors.totp) return { account, result: 'not_enrolled' };
  const failed = (result: FactorCheck) => ({ account: { ...account, failures: { ...account.failures, [SECOND_FACTOR_KEY]: withFailure(failures, policy, now) } }, result });
  const { [SECOND_FACTOR_KEY]: _cleared, ...otherFailures } = account.failures;
  if (proof.kind === 'recovery') {
    const codes = factors.recoveryCodes ?? [];
    const left = codes.filter((hash) => !timingSafeEqual(hash, proof.codeHash));
    if (left.length === codes.length) return failed('rejected');
    return { account: { ...account, failures: otherFailures, factors: { ...factors, recoveryCodes: left } }, result: 'accepted' };
  }
  // The codes were computed from this secret: one replaced meanwhile proves nothing.
  if (candidates.secret !== factors.totp.secret) return failed('rejected');
  const match = candidates.codes.find((candidate) => timingSafeEqual(candidate.code, proof.code));
  if (!match) return failed('rejected');
  // RFC 6238 section 5.2: a code is accepted once; its step and every earlier one are spent.
  if (match.step <= factors.totp.lastUsedStep) return failed('replayed');
  const totp = { ...factors.totp, lastUsedStep: match.step, lastUsedAt: now };
  return { account: { ...account, failures: otherFailures, factors: { ...factors, totp } }, result: 'accepted' };
}

/**
 * Enrolment: the first code from the app proves it holds the secret. Replaces any earlier factor
 * and recovery codes; the step of the confirming code counts as used.
 */
export function enrolTotp<A extends FactorHolder>(
  account: A,
  enrolment: { secret: string; code: string; codes: { step: number; code: string }[]; recoveryCodeHashes: string[] },
  now: number,
): { account: A; enrolled: boolean } {
  const match = enrolment.codes.find((candidate) => timingSafeEqual(candidate.code, enrolment.code));
  if (!match) return { account, enrolled: false };
  const factors: SecondFactors = {
    ...factorsOf(account),
    totp: { secret: enrolment.secret, createdAt: now, lastUsedStep: match.step, lastUsedAt: now },
    recoveryCodes: enrolment.recoveryCodeHashes,
  };
  return { account: { ...account, factors }, enrolled: true };
}

/** Reset: the authenticator app and the recovery codes are forgotten (an operator's `required` stays). */
export function removeSecondFactors<A extends FactorHolder>(account: A): A {
  const { required } = factorsOf(account);
  return { ...account, factors: required ? { required } : undefined };
}

export function requireSecondFactor<A extends FactorHolder>(account: A, required: boolean): A {
  return { ...account, factors: { ...factorsOf(account), required: required || undefined } };
}

/** For the account page, read with the session: whether an app is enrolled, and how many recovery codes are left. */
export function twoStepState(account: FactorHolder): { recoveryCodesLeft: number } | undefined {
  const factors = factorsOf(account);
  return factors.totp ? { recoveryCodesLeft: factors.recoveryCodes?.length ?? 0 } : undefined;
}

/** What operators and the account page see: never the secret or a hash. */
export interface FactorSummary {
  totp: { createdAt: number; lastUsedAt: number | undefined } | undefined;
  recoveryCodesLeft: number;
  mfaRequired: boolean;
}

export function factorSummary(account: FactorHolder): FactorSummary {
  const factors = factorsOf(account);
  return {
    totp: factors.totp && { createdAt: factors.totp.createdAt, lastUsedAt: factors.totp.lastUsedAt },
    recoveryCodesLeft: factors.recoveryCodes?.length ?? 0,
    mfaRequired: factors.required ?? false,
  };
}
