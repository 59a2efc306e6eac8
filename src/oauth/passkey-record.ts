/**
 * A user's passkeys (WebAuthn credentials) and the challenges already used with them, kept by the
 * user's Durable Object under a key of its own beside the account record. Pure: the object reads,
 * calls these, and writes, with no await in between, so a challenge is consumed exactly once.
 */
export interface PasskeyRecord {
  credentials: Record<string, StoredPasskey>;
  /** Challenge id -> when its challenge expires (ms): a used challenge is refused until then. */
  usedChallenges: Record<string, number>;
}

export interface StoredPasskey {
  /** SubjectPublicKeyInfo, base64url, as the browser's `getPublicKey()` gives it. */
  publicKey: string;
  algorithm: 'ES256' | 'RS256';
  /** The last signature counter seen; 0 for authenticators without one (synced passkeys). */
  signCount: number;
  transports: string[];
  /** BE flag: the credential may be synced (a multi-device passkey); fixed for its life. */
  backupEligible: boolean;
  /** BS flag at the last use: it is backed up (synced) now. */
  backedUp: boolean;
  aaguid: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | undefined;
}

/** What the account page, the Management API and the data export show: no public key. */
export interface PasskeySummary {
  id: string;
  name: string;
  aaguid: string;
  created_at: string;
  last_used_at: string | null;
  backup_eligible: boolean;
  backed_up: boolean;
  transports: string[];
}

/** A user keeps at most this many passkeys; enough for every device, bounded for storage. */
export const MAX_PASSKEYS = 20;
/** Used challenges remembered at once; beyond that new ceremonies wait until some expire. */
export const MAX_USED_CHALLENGES = 100;
export const MAX_PASSKEY_NAME_LENGTH = 64;

export const emptyPasskeys = (): PasskeyRecord => ({ credentials: {}, usedChallenges: {} });

export type PasskeyRefusal = 'challenge_used' | 'too_many_challenges' | 'unknown_credential' | 'counter_regressed' | 'backup_eligibility_changed' | 'too_many_passkeys' | 'already_registered';

type Decision<T> = { ok: true; record: PasskeyRecord; value: T } | { ok: false; reason: PasskeyRefusal };

/**
 * Marks a challenge as used (single use): refused if it was used before. Expired entries are
 * dropped first; the challenge's own expiry was checked when it was unsealed.
 */
export function consumeChallenge(record: PasskeyRecord, challengeId: string, expiresAt: number, now: number): Decision<undefined> {
  const live = Object.fromEntries(Object.entries(record.usedChallenges).filter(([, until]) => until > now));
  if (Object.hasOwn(live, challengeId)) return { ok: false, reason: 'challenge_used' };
  if (Object.keys(live).length >= MAX_USED_CHALLENGES) return { ok: false, reason: 'too_many_challenges' };
  return { ok: true, record: { ...record, usedChallenges: { ...live, [challengeId]: expiresAt } }, value: undefined };
}

/** A registration whose challenge is consumed in the same step. */
export function addPasskey(record: PasskeyRecord, id: string, passkey: StoredPasskey, challenge: { id: string; expiresAt: number }, now: number): Decision<undefined> {
  const consumed = consumeChallenge(record, challenge.id, challenge.expiresAt, now);
  if (!consumed.ok) return consumed;
  if (Object.hasOwn(record.credentials, id)) return { ok: false, reason: 'already_registered' };
  if (Object.keys(record.credentials).length >= MAX_PASSKEYS) return { ok: false, reason: 'too_many_passkeys' };
  return { ok: true, record: { ...consumed.record, credentials: { ...record.credentials, [id]: passkey } }, value: undefined };
}

/** What a verified assertion's authenticator data said. */
export interface AssertionState {
  signCount: number;
  backupEligible: boolean;
  backedUp: boolean;
}

/**
 * The signature counter (WebAuthn section 6.1.1, step 21 of 7.2): when both the stored and the new
 * counter are non-zero, the new one must be greater, or the credential may have been cloned and
 * the sign-in is refused. A zero on either side means "no counter" (synced passkeys always send
 * 0), so it is accepted and the larger value kept.
 */
export function counterAccepted(stored: number, presented: number): boolean {
  return stored === 0 || presented === 0 || presented > stored;
}

/**
 * A sign-in with a verified assertion: consumes the challenge, checks the counter and that the
 * backup eligibility (fixed at creation, WebAuthn 6.1.3) did not change, and records the use.
 */
export function usePasskey(record: PasskeyRecord, id: string, state: AssertionState, challenge: { id: string; expiresAt: number }, now: number): Decision<StoredPasskey> {
  const stored = record.credentials[id];
  if (!stored || !Object.hasOwn(record.credentials, id)) return { ok: false, reason: 'unknown_credential' };
  const consumed = consumeChallenge(record, challenge.id, challenge.expiresAt, now);
  if (!consumed.ok) return consumed;
  if (!counterAccepted(stored.signCount, state.signCount)) return { ok: false, reason: 'counter_regressed' };
  if (stored.backupEligible !== state.backupEligible) return { ok: false, reason: 'backup_eligibility_changed' };
  const used: StoredPasskey = { ...stored, signCount: Math.max(stored.signCount, state.signCount), backedUp: state.backedUp, lastUsedAt: now };
  return { ok: true, record: { ...consumed.record, credentials: { ...record.credentials, [id]: used } }, value: used };
}

export function renamePasskey(record: PasskeyRecord, id: string, name: string): PasskeyRecord | undefined {
  const stored = record.credentials[id];
  if (!stored || !Object.hasOwn(record.credentials, id)) return undefined;
  return { ...record, credentials: { ...record.credentials, [id]: { ...stored, name: passkeyName(name, stored.name) } } };
}

export function removePasskey(record: PasskeyRecord, id: string): PasskeyRecord | undefined {
  if (!Object.hasOwn(record.credentials, id)) return undefined;
  const { [id]: _removed, ...rest } = record.credentials;
  return { ...record, credentials: rest };
}

/** What a passkey from an authenticator we cannot name is called until its owner renames it. */
export const UNNAMED_PASSKEY = 'Passkey';

/** A user-chosen name, trimmed to one line of bounded length; the fallback when it is empty. */
export function passkeyName(name: string, fallback: string): string {
  const clean = name.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').trim().slice(0, MAX_PASSKEY_NAME_LENGTH);
  return clean || fallback;
}

export function passkeySummaries(record: PasskeyRecord): PasskeySummary[] {
  return Object.entries(record.credentials)
    .sort(([, a], [, b]) => a.createdAt - b.createdAt)
    .map(([id, p]) => ({
      id, name: p.name, aaguid: p.aaguid, created_at: new Date(p.createdAt).toISOString(),
      last_used_at: p.lastUsedAt === undefined ? null : new Date(p.lastUsedAt).toISOString(),
      backup_eligible: p.backupEligible, backed_up: p.backedUp, transports: p.transports,
    }));
}

/**
 * RFC 8176 values for a passkey sign-in: `hwk` (proof of a hardware-bound key) for a credential
 * that cannot leave its device, `swk` (software key) for one that may be synced, since a synced
 * key's private half lives in a sync provider's keychain rather than one piece of hardware;
 * `user` because user verification (PIN or biometric) is required.
 */
export const passkeyAmr = (passkey: Pick<StoredPasskey, 'backupEligible'>): string[] => [passkey.backupEligible ? 'swk' : 'hwk', 'user'];
