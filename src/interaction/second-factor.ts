import { sha256Base64url } from '../crypto/hash';
import { TOTP_DIGITS, TOTP_STEP_SECONDS } from '../crypto/totp';
import { userStore } from '../durable-objects/user-store';
import type { FactorAnswer, FactorSignIn } from '../durable-objects/user-factors';
import { mintCode } from '../grants/authorization-code';
import type { AppContext } from '../http/context';
import type { LoginRequest, PendingSecondFactor } from '../oauth/login-request';
import { networkKey } from '../oauth/login-throttle';
import { RECOVERY_CODE_COUNT, type FactorProof } from '../oauth/second-factor';
import { consentRequestFor, mustVerifyEmail } from './approval';
import { newSession } from './session-cookie';

/** Crockford's base32 without look-alikes: recovery codes are read off paper and typed. */
const READABLE = '0123456789abcdefghjkmnpqrstvwxyz';

const normalizeRecoveryCode = (text: string) => text.toLowerCase().replace(/[^0-9a-z]/g, '');

/** Ten recovery codes of 50 random bits each (`xxxxx-xxxxx`), and the hashes the user's object keeps. */
export async function newRecoveryCodes(): Promise<{ codes: string[]; hashes: string[] }> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from(crypto.getRandomValues(new Uint8Array(10)), (byte) => READABLE[byte & 31]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
  return { codes, hashes: await Promise.all(codes.map((code) => sha256Base64url(normalizeRecoveryCode(code)))) };
}

/** The proof a form carries: six digits from the app (spaces forgiven), or a recovery code (hashed here). */
export async function factorProof(form: Map<string, string>): Promise<FactorProof | undefined> {
  const code = (form.get('code') ?? '').replace(/\s/g, '');
  if (new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code)) return { kind: 'totp', code };
  const recovery = normalizeRecoveryCode(form.get('recovery_code') ?? '');
  if (recovery.length === 10) return { kind: 'recovery', codeHash: await sha256Base64url(recovery) };
  return undefined;
}

/** Six digits typed at enrolment, or undefined. */
export function enrolmentCode(form: Map<string, string>): string | undefined {
  const code = (form.get('code') ?? '').replace(/\s/g, '');
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code) ? code : undefined;
}

/** The key-uri format authenticator apps read (Google Authenticator's, which the others follow). */
export function otpauthUri(issuer: string, account: string, secret: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const query = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${query.toString()}`;
}

/** Code attempts are limited per network as password attempts are (the platform's counter, no storage). */
export async function factorNetworkLimited(c: AppContext): Promise<boolean> {
  const network = networkKey(c.req.header('CF-Connecting-IP') ?? 'unknown');
  return !(await c.env.LOGIN_NETWORK_LIMIT.limit({ key: network })).success;
}

/** The sign-in the user's object completes once the factor is right: a new session, and the request's code when `approve`. */
async function factorSignIn(c: AppContext, request: LoginRequest, pending: PendingSecondFactor, approve: boolean): Promise<{ user: FactorSignIn; codeLocation: string; sessionHandle: string }> {
  const { userId } = pending;
  const session = await newSession(c, userId);
  const minted = approve ? await mintCode(c.env, userId, request, await consentRequestFor(c.env, request), await mustVerifyEmail(c.env, request, userId)) : undefined;
  const user: FactorSignIn = {
    userId,
    session: { id: session.id, secretHash: session.secretHash, expiresAt: session.expiresAt },
    approval: minted?.approval,
    amr: pending.amr,
    replacesSession: pending.replacesSession,
  };
  return { user, codeLocation: minted?.location ?? '', sessionHandle: session.handle };
}

/** The second step of a sign-in to an app: one call to the user's object checks the proof, opens the session and issues the code. */
export async function completeSignIn(c: AppContext, request: LoginRequest, pending: PendingSecondFactor, proof: FactorProof) {
  const signIn = await factorSignIn(c, request, pending, true);
  const result: FactorAnswer = await userStore(c.env, pending.userId).secondFactor({ op: 'complete', proof, user: signIn.user });
  return { result, codeLocation: signIn.codeLocation, sessionHandle: signIn.sessionHandle };
}

/** Enrolment during a sign-in that requires a factor: one call saves it and opens the session (the code follows the recovery codes). */
export async function enrolDuringSignIn(c: AppContext, request: LoginRequest, pending: PendingSecondFactor & { enrolSecret: string }, code: string) {
  const signIn = await factorSignIn(c, request, pending, false);
  const recovery = await newRecoveryCodes();
  const result = await userStore(c.env, pending.userId).secondFactor({ op: 'enrol', secret: pending.enrolSecret, code, recoveryCodeHashes: recovery.hashes, user: signIn.user });
  return { result, codes: recovery.codes, sessionHandle: signIn.sessionHandle };
}
