import { claimPasskeyCredential, releasePasskeyCredential } from '../db/passkeys';
import { userStore } from '../durable-objects/user-store';
import type { AppContext } from '../http/context';
import { passkeyName } from '../oauth/passkey-record';
import { parseRegistration, userHandleFor, verifyPasskeyRegistration } from '../oauth/passkey-verification';
import type { PasskeyEnrolment, PasskeyListItem } from '../views/passkey-views';
import { mintPasskeyChallenge, openPasskeyChallenge } from './passkey-challenge';
import { passkeyProviderName } from './static-data';

/**
 * The account page's passkeys and a fresh registration challenge (sealed, bound to the user: no
 * storage). One call to the user's object for the list.
 */
export async function passkeysOnPage(c: AppContext, account: { userId: string; user: { email: string } }): Promise<{ list: PasskeyListItem[]; enrolment: PasskeyEnrolment } | undefined> {
  if (!c.var.config.webauthn.enabled) return undefined;
  const [list, challenge] = await Promise.all([userStore(c.env, account.userId).listPasskeys(), mintPasskeyChallenge(c.env, 'register', account.userId)]);
  const { rpId } = c.var.config.webauthn;
  return { list, enrolment: { challenge, rpId, rpName: rpId, userHandle: userHandleFor(account.userId), userName: account.user.email } };
}

export type Enrolment = { added: true; id: string; name: string } | { added: false; reason: string };

/**
 * A new passkey for the signed-in user (attestation `none`): the challenge must be this user's and
 * live, the ceremony ours (origin, RP ID, UP and UV). The credential id is claimed in D1 first (its
 * primary key keeps it on one account), then the user's object spends the challenge and stores
 * the passkey; a refusal there gives the claim back.
 */
export async function enrolPasskey(c: AppContext, userId: string, credentialText: string, chosenName: string): Promise<Enrolment> {
  const registration = parseRegistration(credentialText);
  if (!registration) return { added: false, reason: 'malformed' };
  const challenge = await openPasskeyChallenge(c.env, registration.response.clientDataJSON, 'register', userId);
  if (!challenge) return { added: false, reason: 'challenge_refused' };
  const { rpId, origins } = c.var.config.webauthn;
  const verified = await verifyPasskeyRegistration(registration, { challenge: challenge.challenge, rpId, origins }, Date.now());
  if (!verified.ok) return { added: false, reason: verified.detail };
  const { id, passkey } = verified.value;
  const named = { ...passkey, name: passkeyName(chosenName, await passkeyProviderName(c.env, passkey.aaguid)) };
  if (!(await claimPasskeyCredential(c.env, id, userId))) return { added: false, reason: 'already_registered' };
  const refused = await userStore(c.env, userId).addPasskey(id, named, { id: challenge.id, expiresAt: challenge.expiresAt });
  if (refused) {
    await releasePasskeyCredential(c.env, id, userId);
    return { added: false, reason: refused };
  }
  return { added: true, id, name: named.name };
}

/** Removes one of the user's passkeys, from their object and from the lookup; false when they had none such. */
export async function removeUserPasskey(env: Env, userId: string, id: string): Promise<boolean> {
  const removed = await userStore(env, userId).changePasskey(id);
  if (removed) await releasePasskeyCredential(env, id, userId);
  return removed;
}
