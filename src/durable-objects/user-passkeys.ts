import { DurableObject } from 'cloudflare:workers';
import type { AccountRecord, SignInInput, SignInResult } from '../oauth/account-record';
import {
  addPasskey, emptyPasskeys, passkeyAmr, passkeySummaries, removePasskey, renamePasskey, usePasskey,
  type PasskeyRecord, type PasskeyRefusal, type PasskeySummary, type StoredPasskey,
} from '../oauth/passkey-record';
import { userHandleFor, verifyPasskeyAssertion, type AssertionJson, type CeremonyExpectation, type Verified } from '../oauth/passkey-verification';

export type { PasskeySummary };

/** The storage key of the user's passkeys, beside the account record. */
export const PASSKEYS = 'passkeys';

/** What a passkey sign-in hands the user's object: the assertion, what it must match, and the session to open. */
export interface PasskeySignInInput {
  credentialId: string;
  assertion: AssertionJson;
  expected: CeremonyExpectation;
  /** The sealed challenge's id and expiry (src/interaction/passkey-challenge.ts): spent here, once. */
  challenge: { id: string; expiresAt: number };
  user: NonNullable<SignInInput['user']>;
}

export type PasskeySignInResult = SignInResult | { outcome: 'refused'; reason: string };

/**
 * The passkey half of the user's object (src/durable-objects/user-store.ts extends it), deciding in
 * src/oauth/passkey-record.ts. A sign-in verifies the signature first (the only await), then
 * spends the challenge, checks the counter and opens the session in one synchronous step.
 */
export abstract class UserPasskeys extends DurableObject<Env> {
  protected abstract account(): AccountRecord;
  protected abstract openSignedIn(before: AccountRecord, after: AccountRecord, user: NonNullable<SignInInput['user']>, now: number): Promise<SignInResult>;

  private passkeys(): PasskeyRecord {
    return this.ctx.storage.kv.get<PasskeyRecord>(PASSKEYS) ?? emptyPasskeys();
  }

  async signInWithPasskey(input: PasskeySignInInput): Promise<PasskeySignInResult> {
    const verified = await verifyStoredAssertion(this.passkeys(), input);
    const before = this.account();
    const now = Date.now();
    if (!verified.ok) return { outcome: 'refused', reason: verified.detail };
    if (before.blocked) return { outcome: 'refused', reason: 'blocked' };
    const used = usePasskey(this.passkeys(), input.credentialId, verified.value, input.challenge, now);
    if (!used.ok) return { outcome: 'refused', reason: used.reason };
    this.ctx.storage.kv.put(PASSKEYS, used.record);
    return this.openSignedIn(before, before, { ...input.user, amr: passkeyAmr(used.value) }, now);
  }

  /** Adds a verified new passkey, spending its registration challenge; the refusal, if any. */
  async addPasskey(id: string, passkey: StoredPasskey, challenge: { id: string; expiresAt: number }): Promise<PasskeyRefusal | undefined> {
    const added = addPasskey(this.passkeys(), id, passkey, challenge, Date.now());
    if (!added.ok) return added.reason;
    this.ctx.storage.kv.put(PASSKEYS, added.record);
    return undefined;
  }

  async listPasskeys(): Promise<PasskeySummary[]> {
    return passkeySummaries(this.passkeys());
  }

  /** Renames (with a name) or removes (without) one passkey; false when the user has no such passkey. */
  async changePasskey(id: string, name?: string): Promise<boolean> {
    const changed = name === undefined ? removePasskey(this.passkeys(), id) : renamePasskey(this.passkeys(), id, name);
    if (changed) this.ctx.storage.kv.put(PASSKEYS, changed);
    return changed !== undefined;
  }
}

/** The assertion checked against the stored passkey: its signature and ceremony, and that it names this user. */
async function verifyStoredAssertion(record: PasskeyRecord, input: PasskeySignInInput): Promise<Verified<{ signCount: number; backupEligible: boolean; backedUp: boolean }>> {
  const passkey = Object.hasOwn(record.credentials, input.credentialId) ? record.credentials[input.credentialId] : undefined;
  if (!passkey || input.assertion.id !== input.credentialId) return { ok: false, detail: 'unknown_credential' };
  const handle = input.assertion.response.userHandle;
  // WebAuthn 7.2 step 6: a returned user handle must be the credential's user.
  if (handle && handle !== userHandleFor(input.user.userId)) return { ok: false, detail: 'user_handle_mismatch' };
  return verifyPasskeyAssertion(input.assertion, passkey, input.expected);
}
