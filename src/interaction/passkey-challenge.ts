import * as v from 'valibot';
import { parseClient } from '@passwordless-id/webauthn/dist/esm/parsers.js';
import { randomToken } from '../crypto/random';
import { seal, unseal } from '../crypto/seal';
import { getSealingKey } from '../tokens/key-cache';

const PURPOSE = 'edge-auth/passkey-challenge/v1';
/** A ceremony is meant to be finished at once; five minutes leaves time for a security key's PIN. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60 * 1000;

/**
 * A WebAuthn challenge is sealed (AES-GCM, the sealing key): 128 random bits naming it, what it is
 * for (`register`: the user's id; `sign-in`: the pending authorization request's id) and when it
 * expires. Handing one out therefore writes no storage (the login page, like `/authorize`, stays
 * storage-free); its single use is decided where it is spent, in the user's Durable Object, which
 * remembers the ids of used challenges until they expire (src/oauth/passkey-record.ts). A
 * challenge made for one request or user is refused for any other.
 */
export type ChallengeKind = 'register' | 'sign-in';

const ChallengeSchema = v.object({ id: v.string(), kind: v.picklist(['register', 'sign-in']), subject: v.string(), expiresAt: v.number() });

export interface OpenedChallenge {
  /** Exactly the challenge the client data carries, for the verifier to compare. */
  challenge: string;
  id: string;
  expiresAt: number;
}

export async function mintPasskeyChallenge(env: Env, kind: ChallengeKind, subject: string): Promise<string> {
  return seal(await getSealingKey(env), PURPOSE, { id: randomToken(16), kind, subject, expiresAt: Date.now() + PASSKEY_CHALLENGE_TTL_MS });
}

/** The challenge a ceremony's client data carries, if it is ours, for this kind and subject, and live. */
export async function openPasskeyChallenge(env: Env, clientDataJSON: string, kind: ChallengeKind, subject: string): Promise<OpenedChallenge | undefined> {
  let challenge: unknown;
  try {
    challenge = parseClient(clientDataJSON).challenge;
  } catch {
    return undefined;
  }
  if (typeof challenge !== 'string' || challenge.length > 1024) return undefined;
  const parsed = v.safeParse(ChallengeSchema, await unseal(await getSealingKey(env), PURPOSE, challenge));
  if (!parsed.success) return undefined;
  const opened = parsed.output;
  if (opened.kind !== kind || opened.subject !== subject || opened.expiresAt <= Date.now()) return undefined;
  return { challenge, id: opened.id, expiresAt: opened.expiresAt };
}
