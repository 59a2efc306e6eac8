/**
 * The jti of every DPoP proof a grant accepted, until the proof could no longer be accepted anyway
 * (RFC 9449 section 11.1). Kept in the grant's record, in the user's object the request already
 * calls, so remembering costs no extra round trip. The set is bounded: a grant accepts at most
 * MAX_PROOFS_PER_GRANT proofs within one proof lifetime (about a minute), far above what an app
 * needs; beyond it proofs are refused rather than forgotten, so no replay can slip through.
 */
export const MAX_PROOFS_PER_GRANT = 100;

/** A proof presented to the grant: its jti, and until when (ms) it must be remembered. */
export interface PresentedProof {
  jkt: string;
  jti: string;
  replayableUntil: number;
}

export type RememberResult = { ok: true; seen: Record<string, number> } | { ok: false; reason: 'dpop_replayed' | 'dpop_too_many' };

/** Adds the proof's jti to the set, dropping expired ones; refuses a jti already in it. */
export function rememberProof(seen: Readonly<Record<string, number>> | undefined, proof: PresentedProof, now: number): RememberResult {
  const live = Object.entries(seen ?? {}).filter(([, until]) => until > now);
  if (live.some(([jti]) => jti === proof.jti)) return { ok: false, reason: 'dpop_replayed' };
  if (live.length >= MAX_PROOFS_PER_GRANT) return { ok: false, reason: 'dpop_too_many' };
  return { ok: true, seen: Object.fromEntries([...live, [proof.jti, proof.replayableUntil]]) };
}
