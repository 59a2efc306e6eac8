import { totpCandidates } from '../crypto/totp';
import {
  approve, endSession, liveSession, openSession, storedGrant, type AccountRecord, type Approval, type ApprovalResult, type NewSession, type SignInInput, type SignInResult, type StoredGrant, type StoredSession,
} from '../oauth/account-record';
import { PASSWORD_AMR, withSecondFactor } from '../oauth/authentication-methods';
import { ACCOUNT_POLICY } from '../oauth/login-throttle';
import {
  checkSecondFactor, enrolTotp, factorSummary, hasTotp, removeSecondFactors, requireSecondFactor, secondFactorStep, twoStepState,
  type FactorCheck, type FactorProof, type FactorSummary,
} from '../oauth/second-factor';

/**
 * The second-factor methods of the user's object (src/durable-objects/user-store.ts), which hands
 * them its storage. Each reads, decides in src/oauth/second-factor.ts and writes with no await in
 * between; the only await before the read is the HMAC of the candidate codes, and the decision
 * checks that the secret they came from is still the stored one.
 */
export interface AccountAccess {
  account(): AccountRecord;
  save(before: AccountRecord, after: AccountRecord, grants?: Record<string, StoredGrant>): Promise<void>;
  approval(account: AccountRecord, approval: Approval, user: ApprovingUser): { result: ApprovalResult; grants: Record<string, StoredGrant> };
}

/** A sign-in whose session opens once its second factor is given: the methods of the first, `amr`. */
export interface FactorSignIn {
  userId: string;
  session: NewSession;
  approval?: Approval | undefined;
  amr: string[];
  /** The single sign-on session this one steps up: it ends when the new one opens. */
  replacesSession?: string | undefined;
}

export type FactorRequest =
  | { op: 'complete'; proof: FactorProof; user: FactorSignIn }
  | { op: 'enrol'; secret: string; code: string; recoveryCodeHashes: string[]; user?: FactorSignIn | undefined; upgradeSession?: string | undefined }
  | { op: 'remove'; proof?: FactorProof | undefined }
  | { op: 'summary' }
  | { op: 'require'; required: boolean };

export type FactorAnswer =
  | SignInResult
  | { outcome: Exclude<FactorCheck, 'accepted'> | 'enrolled' | 'removed' | 'already_enrolled' }
  | { outcome: 'summary'; factors: FactorSummary };

/** Opens the session of a completed sign-in (ending the one it steps up) and approves its request, if any. */
export async function openAndApprove(access: AccountAccess, before: AccountRecord, account: AccountRecord, user: FactorSignIn, now: number): Promise<SignInResult> {
  const { userId, session, approval, amr } = user;
  const authTime = Math.floor(now / 1000);
  const opened = openSession(account, session.id, { secretHash: session.secretHash, authTime, createdAt: now, expiresAt: session.expiresAt, amr }, now);
  const signedIn = user.replacesSession ? endSession(opened, user.replacesSession) : opened;
  const approved = approval && access.approval(signedIn, approval, { userId, authTime, amr });
  await access.save(before, signedIn, approved?.grants);
  return { outcome: 'succeeded', authTime, amr, approval: approved?.result };
}

/**
 * After a right password: a user with a factor gives it before any session opens (so does one a
 * client requires a factor of); otherwise the session opens now. The account page, which issues
 * no code, is where a factor is enrolled, so it opens the session of a user without one.
 */
export async function afterFirstFactor(access: AccountAccess, before: AccountRecord, account: AccountRecord, user: NonNullable<SignInInput['user']>, now: number): Promise<SignInResult> {
  const amr = user.amr ?? [...PASSWORD_AMR];
  const step = secondFactorStep(account, amr, user.approval?.requireMfa ?? false);
  if (step === 'challenge' || (step === 'enrol' && user.approval)) {
    await access.save(before, account);
    return { outcome: 'second_factor', step };
  }
  return openAndApprove(access, before, account, { ...user, amr }, now);
}

/** How a live session signed in, and the step it needs first when that is not enough for the request (acr_values, the client, the user). */
export function sessionStrength(account: AccountRecord, session: StoredSession, approval: Approval): { amr: string[]; stepUp: 'challenge' | 'enrol' | undefined } {
  const amr = session.amr ?? [...PASSWORD_AMR];
  return { amr, stepUp: secondFactorStep(account, amr, approval.requireMfa ?? false) };
}

type ApprovingUser = { userId: string; authTime: number; amr?: string[] | undefined };

/** Approves a request for the user (`requestUsed`: the object holds its grant already): the code's grant when one is issued. */
export function approveRequest(account: AccountRecord, approval: Approval, user: ApprovingUser, requestUsed: boolean) {
  const approved = approve(account, approval, user, requestUsed);
  const grants: Record<string, StoredGrant> = approved.record ? { [approval.grantId]: storedGrant(approved.record, Date.now()) } : {};
  return { result: approved.result, grants };
}

/** The live session of this id and secret, as the account page reads it: when and how it signed in, and the authenticator app if any. */
export function resumedSession(account: AccountRecord, sessionId: string, secretHash: string, now: number) {
  const session = liveSession(account, sessionId, secretHash, now);
  return session && { authTime: session.authTime, amr: session.amr ?? [...PASSWORD_AMR], twoStep: twoStepState(account) };
}

export async function factorMethod(request: FactorRequest, access: AccountAccess): Promise<FactorAnswer> {
  const now = Date.now();
  switch (request.op) {
    case 'complete': {
      const { proof, user } = request;
      const secret = access.account().factors?.totp?.secret;
      const codes = proof.kind === 'totp' && secret ? await totpCandidates(secret, now) : [];
      const before = access.account();
      const checked = checkSecondFactor(before, proof, { secret, codes }, ACCOUNT_POLICY, now);
      // Blocked since the password step: no session, as a password sign-in would get none.
      if (checked.result !== 'accepted' || before.blocked) {
        await access.save(before, checked.account);
        return { outcome: checked.result === 'accepted' ? 'rejected' : checked.result };
      }
      return openAndApprove(access, before, checked.account, { ...user, amr: withSecondFactor(user.amr, proof.kind) }, now);
    }
    case 'enrol': {
      const codes = await totpCandidates(request.secret, now);
      const before = access.account();
      // Replacing a factor is removing it first (with a code or the password), never a second enrolment.
      if (hasTotp(before)) return { outcome: 'already_enrolled' };
      const enrolled = enrolTotp(before, { ...request, codes }, now);
      if (!enrolled.enrolled) return { outcome: 'rejected' };
      if (request.user) return openAndApprove(access, before, enrolled.account, { ...request.user, amr: withSecondFactor(request.user.amr, 'totp') }, now);
      const upgraded = upgradeSession(enrolled.account, request.upgradeSession);
      await access.save(before, upgraded);
      return { outcome: 'enrolled' };
    }
    case 'remove': {
      const before = access.account();
      if (!hasTotp(before)) return { outcome: 'not_enrolled' };
      if (request.proof) {
        const secret = before.factors?.totp?.secret;
        const codes = request.proof.kind === 'totp' && secret ? await totpCandidates(secret, now) : [];
        const checked = checkSecondFactor(access.account(), request.proof, { secret, codes }, ACCOUNT_POLICY, now);
        if (checked.result !== 'accepted') {
          await access.save(before, checked.account);
          return { outcome: checked.result };
        }
      }
      const current = access.account();
      await access.save(current, removeSecondFactors(current));
      return { outcome: 'removed' };
    }
    case 'summary':
      return { outcome: 'summary', factors: factorSummary(access.account()) };
    case 'require': {
      const before = access.account();
      const after = requireSecondFactor(before, request.required);
      await access.save(before, after);
      return { outcome: 'summary', factors: factorSummary(after) };
    }
  }
}

/** The session that enrolled the factor has just proved it: from now on it counts as multi-factor. */
function upgradeSession(account: AccountRecord, sessionId: string | undefined): AccountRecord {
  const session = sessionId !== undefined && Object.hasOwn(account.sessions, sessionId) ? account.sessions[sessionId] : undefined;
  if (!session || sessionId === undefined) return account;
  return { ...account, sessions: { ...account.sessions, [sessionId]: { ...session, amr: withSecondFactor(session.amr ?? ['pwd'], 'totp') } } };
}
