import { findPasskeyOwner } from '../db/passkeys';
import { userStore } from '../durable-objects/user-store';
import { mintCode } from '../grants/authorization-code';
import type { AppContext } from '../http/context';
import type { SignInResult } from '../oauth/account-record';
import type { LoginRequest } from '../oauth/login-request';
import type { Locale } from '../i18n/messages';
import { networkKey } from '../oauth/login-throttle';
import { parseAssertion } from '../oauth/passkey-verification';
import { consentRequestFor, mustVerifyEmail } from './approval';
import { openPasskeyChallenge } from './passkey-challenge';
import { newSession } from './session-cookie';

export type PasskeySignIn =
  | { signedIn: true; userId: string; locale: Locale | null; result: Extract<SignInResult, { outcome: 'succeeded' }>; codeLocation: string; sessionHandle: string }
  | { signedIn: false; reason: string; network: string };

/**
 * A discoverable passkey sign-in for a pending authorization request, shared by the login page
 * and the native API: the login form's per-network limit; the challenge unsealed and bound to this
 * request; the credential's user from D1 (one read, no email needed); then one call to the user's
 * object verifies the assertion, spends the challenge, checks the counter, opens the session and
 * issues the code (or asks for consent), as a password sign-in does.
 */
export async function signInWithPasskey(c: AppContext, request: LoginRequest, credentialText: string): Promise<PasskeySignIn> {
  const network = networkKey(c.req.header('CF-Connecting-IP') ?? 'unknown');
  if (!(await c.env.LOGIN_NETWORK_LIMIT.limit({ key: network })).success) return { signedIn: false, reason: 'network_limited', network };
  const assertion = parseAssertion(credentialText);
  if (!assertion) return { signedIn: false, reason: 'malformed', network };
  const challenge = await openPasskeyChallenge(c.env, assertion.response.clientDataJSON, 'sign-in', request.id);
  if (!challenge) return { signedIn: false, reason: 'challenge_refused', network };
  const owner = await findPasskeyOwner(c.env, assertion.id);
  if (!owner || owner.blocked) return { signedIn: false, reason: owner ? 'blocked' : 'unknown_credential', network };

  const [session, consent, verifyEmailFirst] = await Promise.all([
    newSession(c, owner.id),
    consentRequestFor(c.env, request),
    mustVerifyEmail(c.env, request, owner.id, owner.emailVerified),
  ]);
  const minted = await mintCode(c.env, owner.id, request, consent, verifyEmailFirst);
  const { rpId, origins } = c.var.config.webauthn;
  const result = await userStore(c.env, owner.id).signInWithPasskey({
    credentialId: assertion.id,
    assertion,
    expected: { challenge: challenge.challenge, rpId, origins },
    challenge: { id: challenge.id, expiresAt: challenge.expiresAt },
    user: { userId: owner.id, session: { id: session.id, secretHash: session.secretHash, expiresAt: session.expiresAt }, approval: minted.approval },
  });
  if (result.outcome !== 'succeeded') return { signedIn: false, reason: result.outcome === 'refused' ? result.reason : result.outcome, network };
  c.var.audit({ event: 'passkey_used', actor: `user:${owner.id}`, userId: owner.id, clientId: request.clientId, detail: { credential: assertion.id.slice(0, 16) } });
  return { signedIn: true, userId: owner.id, locale: owner.locale, result, codeLocation: minted.location, sessionHandle: session.handle };
}
