import { optionalParam } from './params';

/**
 * How the user signed in (RFC 8176 `amr` values) and the assurance level that follows from it
 * (OIDC Core 2 `acr`). A session records its `amr` when it opens; codes and refresh grants carry
 * it into every ID token they lead to.
 */
export type AuthenticationMethod = 'pwd' | 'hwk' | 'swk' | 'otp' | 'mfa' | 'fed' | 'user';

/** A password and nothing else. */
export const PASSWORD_AMR: readonly string[] = ['pwd'];
/** An upstream identity provider's sign-in (issue 17); it says nothing of how the person proved it there. */
export const FEDERATED_AMR: readonly string[] = ['fed'];
/** A password, to link an upstream identity to the account it proves. */
export const LINKING_AMR: readonly string[] = ['pwd', 'fed'];
/** A password and a code from an authenticator app. */
export const PASSWORD_TOTP_AMR: readonly string[] = ['pwd', 'otp', 'mfa'];
/**
 * A password and a recovery code. RFC 8176 has no value for a printed list of single-use codes
 * (NIST SP 800-63B's "look-up secret"); `otp` is the closest: each is a one-time password, and its
 * definition ("specifications ... include" RFC 4226 and 6238) does not exclude others. `kba` would
 * mislead (it means security questions). The audit log tells a recovery code from an app's code.
 */
export const PASSWORD_RECOVERY_AMR: readonly string[] = ['pwd', 'otp', 'mfa'];

/** One factor: a password, a federated sign-in, a passkey without user verification. */
export const ACR_SINGLE_FACTOR = 'urn:edge-auth:acr:sfa';
/** Two factors: a password with a code, or a passkey with user verification. */
export const ACR_MULTI_FACTOR = 'urn:edge-auth:acr:mfa';
export const ACR_VALUES_SUPPORTED = [ACR_SINGLE_FACTOR, ACR_MULTI_FACTOR] as const;

/**
 * Whether a sign-in counts as multi-factor: it says `mfa`, or it was a passkey (`hwk` or `swk`)
 * with user verification (`user`: a PIN or biometric on the device), which is two factors in one.
 */
export function isMultiFactor(amr: readonly string[] | undefined): boolean {
  if (!amr) return false;
  return amr.includes('mfa') || ((amr.includes('hwk') || amr.includes('swk')) && amr.includes('user'));
}

export function acrFor(amr: readonly string[] | undefined): string {
  return isMultiFactor(amr) ? ACR_MULTI_FACTOR : ACR_SINGLE_FACTOR;
}

/** The methods of a sign-in completed by a second factor, after the first. */
export function withSecondFactor(first: readonly string[], second: 'totp' | 'recovery'): string[] {
  const added = second === 'totp' ? PASSWORD_TOTP_AMR : PASSWORD_RECOVERY_AMR;
  return [...new Set([...first, ...added.filter((method) => method !== 'pwd')])];
}

/**
 * `acr_values` (OIDC Core 3.1.2.1), a voluntary request in order of preference: a second factor is
 * required when every value edge-auth knows in it is the multi-factor one (a single-factor value
 * listed too means one factor is acceptable). Unknown values are ignored.
 */
export function requestsMultiFactor(params: Map<string, string>): boolean {
  const known = (optionalParam(params, 'acr_values') ?? '').split(' ').filter((value) => (ACR_VALUES_SUPPORTED as readonly string[]).includes(value));
  return known.length > 0 && known.every((value) => value === ACR_MULTI_FACTOR);
}
