/**
 * DPoP in the grant's state machine (src/oauth/grant-record.ts, src/oauth/dpop-replay.ts): the
 * code bound by dpop_jkt, the refresh family bound for life, and the bounded set of seen proofs,
 * each at an instant given explicitly.
 */
import { describe, expect, it } from 'vitest';
import { MAX_PROOFS_PER_GRANT, rememberProof, type PresentedProof } from '../../src/oauth/dpop-replay';
import { newGrantRecord, redeemCode, rotateRefreshToken, useDpopAccessToken, type GrantRecord, type RedeemCodeInput } from '../../src/oauth/grant-record';
import { DAY, MINUTE, SECOND, T0 } from './clock';

const proof = (jkt: string, jti: string, at = T0): PresentedProof => ({ jkt, jti, replayableUntil: at + MINUTE });

function issued(dpopJkt?: string): GrantRecord {
  return newGrantRecord(
    'code-hash',
    {
      clientId: 'demo-app',
      redirectUri: 'com.example.demo:/callback',
      codeChallenge: undefined,
      scopes: ['openid', 'offline_access'],
      audience: 'https://api.example.com',
      userId: 'user_demo',
      nonce: undefined,
      authTime: T0 / 1000,
      expiresAt: T0 + MINUTE,
      dpopJkt,
    },
    T0 + 10 * MINUTE,
  );
}

/** `bind`: the client is public, so its family is bound to the proof's key. */
function redemption(dpop: PresentedProof | undefined, bind = true): RedeemCodeInput {
  const jkt = bind ? dpop?.jkt : undefined;
  return {
    codeHash: 'code-hash',
    clientId: 'demo-app',
    redirectUri: 'com.example.demo:/callback',
    verifierChallenge: undefined,
    refresh: { hash: 'refresh-1', absoluteTtlMs: 30 * DAY, idleTtlMs: 7 * DAY, leewayMs: 0, jkt },
    dpop,
  };
}

const rotation = (tokenHash: string, newTokenHash: string, dpop: PresentedProof | undefined) => ({ tokenHash, clientId: 'demo-app', newTokenHash, scopes: undefined, dpop });

describe('the replay set', () => {
  it('accepts a jti once while it could be replayed, and again once it could not', () => {
    const first = rememberProof(undefined, proof('k', 'a'), T0);
    expect(first.ok).toBe(true);
    const seen = first.ok ? first.seen : {};
    expect(rememberProof(seen, proof('k', 'a'), T0 + 30 * SECOND)).toEqual({ ok: false, reason: 'dpop_replayed' });
    expect(rememberProof(seen, proof('k', 'a', T0 + MINUTE), T0 + MINUTE).ok).toBe(true);
  });

  it(`holds at most ${MAX_PROOFS_PER_GRANT} live proofs, refusing more rather than forgetting one`, () => {
    let seen: Record<string, number> = {};
    for (let i = 0; i < MAX_PROOFS_PER_GRANT; i++) {
      const result = rememberProof(seen, proof('k', `jti-${i}`), T0);
      if (!result.ok) throw new Error(result.reason);
      seen = result.seen;
    }
    expect(rememberProof(seen, proof('k', 'one-more'), T0)).toEqual({ ok: false, reason: 'dpop_too_many' });
    // A minute later they have all expired and are dropped.
    const later = rememberProof(seen, proof('k', 'one-more', T0 + MINUTE), T0 + MINUTE);
    expect(later.ok && Object.keys(later.seen)).toEqual(['one-more']);
  });
});

describe('a code bound by dpop_jkt (RFC 9449 section 10)', () => {
  it('is redeemed with a proof by that key', () => {
    expect(redeemCode(issued('key-1'), redemption(proof('key-1', 'a')), T0).result).toMatchObject({ ok: true });
  });

  it.each([
    ['another key', proof('key-2', 'a')],
    ['no proof', undefined],
  ])('is spent, not redeemed, with %s', (_name, dpop) => {
    const { record, result } = redeemCode(issued('key-1'), redemption(dpop), T0);
    expect(result).toEqual({ ok: false, reason: 'dpop_key_mismatch' });
    expect(record?.redeemedAt).toBe(T0);
  });
});

describe('a refresh family bound to a key (section 5)', () => {
  const bound = () => redeemCode(issued(), redemption(proof('key-1', 'a')), T0).record!;

  it('rotates with a proof by its key and remembers the proof', () => {
    const { record, result } = rotateRefreshToken(bound(), rotation('refresh-1', 'refresh-2', proof('key-1', 'b')), T0 + SECOND);
    expect(result.ok).toBe(true);
    expect(record?.refresh?.jkt).toBe('key-1');
    expect(Object.keys(record?.dpopProofs ?? {})).toEqual(['a', 'b']);
  });

  it.each([
    ['no proof', undefined, 'dpop_required'],
    ['another key', proof('key-2', 'b'), 'dpop_key_mismatch'],
    ['a replayed proof', proof('key-1', 'a'), 'dpop_replayed'],
  ] as const)('refuses %s and leaves the family as it was', (_name, dpop, reason) => {
    const before = bound();
    const { record, result } = rotateRefreshToken(before, rotation('refresh-1', 'refresh-2', dpop), T0 + SECOND);
    expect(result).toEqual({ ok: false, reason });
    expect(record).toBe(before);
  });

  it('an unbound family (no proof at the start, or a confidential client) needs none', () => {
    const unbound = redeemCode(issued(), redemption(proof('key-1', 'a'), false), T0).record!;
    expect(rotateRefreshToken(unbound, rotation('refresh-1', 'refresh-2', undefined), T0 + SECOND).result.ok).toBe(true);
  });
});

describe('a DPoP access token at our resources', () => {
  it('is live once per proof, and not once the grant is revoked', () => {
    const record = redeemCode(issued(), redemption(undefined), T0).record!;
    const used = useDpopAccessToken(record, 'grant.jti', proof('key-1', 'p'), T0);
    expect(used.result).toBe('live');
    expect(useDpopAccessToken(used.record, 'grant.jti', proof('key-1', 'p'), T0).result).toBe('dpop_replayed');
    expect(useDpopAccessToken({ ...record, revokedAt: T0 }, 'grant.jti', proof('key-1', 'q'), T0).result).toBe('revoked');
  });
});
