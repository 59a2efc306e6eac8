/**
 * What the links in account mails carry, sealed (AES-GCM under the worker's sealing key, bound to
 * the link's purpose): unguessable and unforgeable without any storage. Each is single-use by the
 * state it changes: a sign-up link creates the account (a second use finds it exists); a reset
 * link names the password hash it was issued for (a used or superseded link no longer matches);
 * a verification link sets `email_verified` only while it is unset and the address unchanged.
 */

/** Long enough for a mail to arrive and be read later the same day. */
export const SIGNUP_LINK_TTL_MS = 24 * 3600 * 1000;
/** Short: a reset link in a mailbox is a key to the account (OWASP Forgot Password guidance). */
export const RESET_LINK_TTL_MS = 30 * 60 * 1000;

/** A sign-up waiting for its email to be confirmed: nothing is stored until then. */
export interface SignupLink {
  email: string;
  name: string | null;
  /** Hashed when the form was sent, so the password itself never leaves the request. */
  passwordHash: string;
  /** The authorization request it started from: the same browser continues it once confirmed. */
  requestId: string;
  clientId: string;
  expiresAt: number;
}

export interface ResetLink {
  userId: string;
  /** SHA-256 of the password hash when the link was issued. */
  passwordBinding: string;
  expiresAt: number;
}

/** Confirms an address an operator (or an older sign-up) left unverified. */
export const VERIFY_LINK_TTL_MS = 24 * 3600 * 1000;

export interface VerifyLink {
  userId: string;
  /** The address it confirms: after an email change the link no longer matches. */
  email: string;
  expiresAt: number;
}

/** Short, like a reset link: whoever holds it moves the account to their address. */
export const EMAIL_CHANGE_LINK_TTL_MS = 60 * 60 * 1000;

/** A change of address, waiting for the new address to be confirmed. */
export interface EmailChangeLink {
  userId: string;
  /** The address when the change was asked: the link does nothing once it changed otherwise. */
  from: string;
  to: string;
  /** SHA-256 of the password hash when asked: a password reset or change cancels the change. */
  passwordBinding: string;
  expiresAt: number;
}

export function isLive(link: { expiresAt: number }, now: number): boolean {
  return now < link.expiresAt;
}
