import { sha256Base64url } from '../crypto/hash';
import { needsRehash, verifyPassword } from '../crypto/password';
import type { UserRow } from '../db/schema';
import { findUserByEmail, normalizeEmail, updatePasswordHash } from '../db/users';
import { unknownAccountStore } from '../durable-objects/user-store';
import type { AppContext } from '../http/context';
import type { SignInResult } from '../oauth/account-record';
import { networkKey } from '../oauth/login-throttle';

/** Bounds the work one request can buy; far above any real address or passphrase. */
export const MAX_EMAIL_LENGTH = 254;
export const MAX_PASSWORD_LENGTH = 1024;

/** The password was right: signed in, or a second factor is due before the session opens. */
type Succeeded = Extract<SignInResult, { outcome: 'succeeded' | 'second_factor' }>;

export type PasswordSignIn<T> =
  | { signedIn: true; user: UserRow; outcome: T; result: Succeeded }
  | { signedIn: false; reason: 'network_limited' | 'locked' | 'failed'; network: string; account: string };

/**
 * The password check shared by the login form and the account page: the per-network limit, the
 * lock and the session are decided by `signIn` (one call to the user's object), which gets
 * whether the password was right. Unknown emails and refused attempts cost and answer the same.
 */
export async function signInWithPassword<T extends { result: SignInResult }>(
  c: AppContext,
  email: string,
  password: string,
  signIn: (user: UserRow, passwordValid: boolean) => Promise<T>,
): Promise<PasswordSignIn<T>> {
  const network = networkKey(c.req.header('CF-Connecting-IP') ?? 'unknown');
  // Per network, by the platform's per-location counter: no object call. A refused attempt reads
  // nothing and hashes nothing, so its cost does not depend on the password.
  const emailHash = await sha256Base64url(normalizeEmail(email));
  if (!(await c.env.LOGIN_NETWORK_LIMIT.limit({ key: network })).success) return { signedIn: false, reason: 'network_limited', network, account: emailHash.slice(0, 16) };

  const user = await findUserByEmail(c.env, email);
  // Hash even for unknown accounts: the answer and its timing must not tell the cases apart.
  const valid = (await verifyPassword(password, user?.passwordHash, c.var.config.passwordHashing)) && !!user && !user.blocked;
  if (!user) {
    // Unknown emails go through the same lock in a shared object, so they cost and behave the same.
    const result = await unknownAccountStore(c.env, emailHash).signIn({ accountKey: emailHash, passwordValid: false });
    return { signedIn: false, reason: result.outcome === 'locked' ? 'locked' : 'failed', network, account: emailHash.slice(0, 16) };
  }
  const outcome = await signIn(user, valid);
  const { result } = outcome;
  if (result.outcome !== 'succeeded' && result.outcome !== 'second_factor') return { signedIn: false, reason: result.outcome, network, account: user.id };

  // A stored hash weaker than configured is replaced now that the password is known, after the response.
  if (needsRehash(user.passwordHash, c.var.config.passwordHashing)) {
    c.executionCtx.waitUntil(updatePasswordHash(c.env, user.id, password, c.var.config.passwordHashing));
  }
  return { signedIn: true, user, outcome, result };
}
