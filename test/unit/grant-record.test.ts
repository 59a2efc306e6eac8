/**
 * The grant's state machine (src/oauth/grant-record.ts) without a Durable Object: code → tokens
 * → rotations → reuse or revocation, each step at an instant given explicitly.
 */
import { describe, expect, it } from 'vitest';
import {
  isAccessTokenRevoked,
  MAX_ACCESS_TOKEN_TTL_MS,
  newGrantRecord,
  redeemCode,
  refreshTokenState,
  retainUntil,
  revoke,
  revokeAccessToken,
  rotateRefreshToken,
  type AuthorizationGrant,
  type GrantRecord,
  type RedeemCodeInput,
  type RotateInput,
} from '../../src/oauth/grant-record';
import { DAY, HOUR, MINUTE, SECOND, T0 } from './clock';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const CODE_TTL = MINUTE;
const REQUEST_TTL = 10 * MINUTE;
const ABSOLUTE_TTL = 30 * DAY;
const IDLE_TTL = 7 * DAY;
const LEEWAY = 30 * SECOND;

function grant(overrides: Partial<AuthorizationGrant> = {}): AuthorizationGrant {
  return {
    clientId: 'demo-app',
    redirectUri: 'com.example.demo:/callback',
    codeChallenge: CHALLENGE,
    scopes: ['openid', 'read:items', 'offline_access'],
    audience: 'https://api.example.com',
    userId: 'user_demo',
    nonce: undefined,
    authTime: T0 / 1000,
    expiresAt: T0 + CODE_TTL,
    ...overrides,
  };
}

/** A record as the authorization endpoint leaves it: a code issued at T0, not yet redeemed. */
const issued = (overrides: Partial<AuthorizationGrant> = {}): GrantRecord => newGrantRecord('code-hash', grant(overrides), T0 + REQUEST_TTL);

function redemption(overrides: Partial<RedeemCodeInput> = {}): RedeemCodeInput {
  return {
    codeHash: 'code-hash',
    clientId: 'demo-app',
    redirectUri: 'com.example.demo:/callback',
    verifierChallenge: CHALLENGE,
    refresh: { hash: 'refresh-1', absoluteTtlMs: ABSOLUTE_TTL, idleTtlMs: IDLE_TTL, leewayMs: LEEWAY },
    ...overrides,
  };
}

const rotation = (tokenHash: string, newTokenHash: string, overrides: Partial<RotateInput> = {}): RotateInput => ({
  tokenHash,
  clientId: 'demo-app',
  newTokenHash,
  scopes: undefined,
  ...overrides,
});

/** The record after the code was redeemed at `at` with refresh-1 issued. */
function redeemed(at = T0 + SECOND): GrantRecord {
  const { record, result } = redeemCode(issued(), redemption(), at);
  expect(result).toMatchObject({ ok: true, refreshIssued: true });
  return record!;
}

/** Rotates `from` to `to` at `at`, expecting success. */
function rotated(record: GrantRecord, from: string, to: string, at: number): GrantRecord {
  const step = rotateRefreshToken(record, rotation(from, to), at);
  expect(step.result.ok, JSON.stringify(step.result)).toBe(true);
  return step.record!;
}

describe('a new grant record', () => {
  it('is unredeemed, unrevoked, without refresh tokens, and kept while its code or request can be used', () => {
    const record = issued();
    expect(record).toMatchObject({ redeemedAt: undefined, revokedAt: undefined, refresh: undefined, replays: 0, revokedJtis: {}, accessTokensExpireBy: 0 });
    expect(retainUntil(record)).toBe(T0 + REQUEST_TTL);
    expect(retainUntil(issued({ expiresAt: T0 + 2 * REQUEST_TTL }))).toBe(T0 + 2 * REQUEST_TTL);
  });
});

describe('redeemCode (RFC 6749 section 4.1.3, RFC 7636 section 4.6)', () => {
  it('spends the code and starts a refresh family when offline_access was granted', () => {
    const at = T0 + SECOND;
    const { record, result } = redeemCode(issued(), redemption(), at);
    expect(result).toEqual({ ok: true, grant: grant(), refreshIssued: true });
    expect(record).toMatchObject({ redeemedAt: at, revokedAt: undefined, accessTokensExpireBy: at + MAX_ACCESS_TOKEN_TTL_MS });
    expect(record!.refresh).toEqual({
      currentHash: 'refresh-1',
      previous: undefined,
      retiredHashes: [],
      absoluteExpiresAt: at + ABSOLUTE_TTL,
      idleTtlMs: IDLE_TTL,
      leewayMs: LEEWAY,
      lastUsedAt: at,
    });
  });

  it('issues no refresh token without offline_access, or when the client may not refresh', () => {
    const withoutOffline = redeemCode(issued({ scopes: ['openid', 'read:items'] }), redemption(), T0);
    expect(withoutOffline.result).toMatchObject({ ok: true, refreshIssued: false });
    expect(withoutOffline.record!.refresh).toBeUndefined();
    const notOffered = redeemCode(issued(), redemption({ refresh: undefined }), T0);
    expect(notOffered.result).toMatchObject({ ok: true, refreshIssued: false });
    expect(notOffered.record!.refresh).toBeUndefined();
  });

  it('does not know a code of another grant, and changes nothing', () => {
    const record = issued();
    expect(redeemCode(record, redemption({ codeHash: 'other-hash' }), T0)).toEqual({ record, result: { ok: false, reason: 'unknown' } });
    expect(redeemCode(undefined, redemption(), T0)).toEqual({ record: undefined, result: { ok: false, reason: 'unknown' } });
  });

  it('is usable until the instant it expires, and an expired code is not spent', () => {
    expect(redeemCode(issued(), redemption(), T0 + CODE_TTL - 1).result.ok).toBe(true);
    const record = issued();
    expect(redeemCode(record, redemption(), T0 + CODE_TTL)).toEqual({ record, result: { ok: false, reason: 'expired' } });
  });

  it.each([
    ['wrong_client', { clientId: 'other-app' }],
    ['wrong_redirect_uri', { redirectUri: 'com.example.demo:/callback/' }],
    ['verifier_mismatch', { verifierChallenge: CHALLENGE.replace('cM', 'cN') }],
    ['verifier_required', { verifierChallenge: undefined }],
    ['wrong_resource', { resource: 'https://other.example.com' }],
  ] as const)('refuses %s, and the code is spent all the same', (reason, change) => {
    const { record, result } = redeemCode(issued(), redemption(change), T0 + SECOND);
    expect(result).toEqual({ ok: false, reason });
    expect(record).toMatchObject({ redeemedAt: T0 + SECOND, refresh: undefined, revokedAt: undefined, accessTokensExpireBy: 0 });
    // The right presentation afterwards is a replay.
    expect(redeemCode(record, redemption(), T0 + 2 * SECOND).result).toEqual({ ok: false, reason: 'replayed' });
  });

  it('refuses a verifier for a grant made without a challenge (a confidential client without PKCE)', () => {
    expect(redeemCode(issued({ codeChallenge: undefined }), redemption(), T0).result).toEqual({ ok: false, reason: 'verifier_unexpected' });
    expect(redeemCode(issued({ codeChallenge: undefined }), redemption({ verifierChallenge: undefined }), T0).result.ok).toBe(true);
  });

  it('revokes the grant on a replay, counting replays and keeping the first revocation time', () => {
    const first = redeemed(T0 + SECOND);
    const replay = redeemCode(first, redemption(), T0 + 2 * SECOND);
    expect(replay.result).toEqual({ ok: false, reason: 'replayed' });
    expect(replay.record).toMatchObject({ revokedAt: T0 + 2 * SECOND, replays: 1 });
    const again = redeemCode(replay.record, redemption(), T0 + 3 * SECOND);
    expect(again.record).toMatchObject({ revokedAt: T0 + 2 * SECOND, replays: 2 });
    // Replayed after it expired: still a replay, so the grant it created is revoked.
    expect(redeemCode(first, redemption(), T0 + DAY).result).toEqual({ ok: false, reason: 'replayed' });
    expect(refreshTokenState(replay.record, 'refresh-1', T0 + 2 * SECOND)).toBe('inactive');
  });
});

describe('rotateRefreshToken (RFC 9700 section 4.14.2)', () => {
  it('replaces the current token, keeps the old one as previous for the leeway, and retires it', () => {
    const at = T0 + HOUR;
    const { record, result } = rotateRefreshToken(redeemed(), rotation('refresh-1', 'refresh-2'), at);
    expect(result).toEqual({ ok: true, grant: grant(), scopes: grant().scopes });
    expect(record!.refresh).toMatchObject({
      currentHash: 'refresh-2',
      previous: { hash: 'refresh-1', usableUntil: at + LEEWAY },
      retiredHashes: ['refresh-1'],
      lastUsedAt: at,
      absoluteExpiresAt: T0 + SECOND + ABSOLUTE_TTL,
    });
    expect(record!.accessTokensExpireBy).toBe(at + MAX_ACCESS_TOKEN_TTL_MS);
  });

  it('narrows the scope on request, never widens it, and a refused widening changes nothing', () => {
    const record = redeemed();
    expect(rotateRefreshToken(record, rotation('refresh-1', 'refresh-2', { scopes: ['read:items'] }), T0 + HOUR).result).toEqual({
      ok: true,
      grant: grant(),
      scopes: ['read:items'],
    });
    expect(rotateRefreshToken(record, rotation('refresh-1', 'refresh-2', { scopes: ['read:items', 'write:items'] }), T0 + HOUR)).toEqual({
      record,
      result: { ok: false, reason: 'invalid_scope' },
    });
  });

  it('accepts the resource of its grant (RFC 8707), as an equal URL too, and refuses another without rotating', () => {
    const record = redeemed();
    expect(redeemCode(issued(), redemption({ resource: 'https://api.example.com/' }), T0).result.ok).toBe(true);
    expect(rotateRefreshToken(record, rotation('refresh-1', 'refresh-2', { resource: 'https://api.example.com' }), T0 + HOUR).result.ok).toBe(true);
    expect(rotateRefreshToken(record, rotation('refresh-1', 'refresh-2', { resource: 'https://other.example.com' }), T0 + HOUR)).toEqual({
      record,
      result: { ok: false, reason: 'invalid_target' },
    });
  });

  it('does not know a token of another family, nor one of a grant without refresh tokens', () => {
    const record = redeemed();
    expect(rotateRefreshToken(record, rotation('refresh-x', 'refresh-2'), T0 + HOUR)).toEqual({ record, result: { ok: false, reason: 'unknown' } });
    const noFamily = redeemCode(issued({ scopes: ['openid'] }), redemption(), T0).record;
    expect(rotateRefreshToken(noFamily, rotation('refresh-1', 'refresh-2'), T0 + HOUR).result).toEqual({ ok: false, reason: 'unknown' });
    expect(rotateRefreshToken(undefined, rotation('refresh-1', 'refresh-2'), T0).result).toEqual({ ok: false, reason: 'unknown' });
  });

  it('refuses another client without revoking the family (RFC 6749 section 6)', () => {
    const record = redeemed();
    expect(rotateRefreshToken(record, rotation('refresh-1', 'refresh-2', { clientId: 'other-app' }), T0 + HOUR)).toEqual({
      record,
      result: { ok: false, reason: 'wrong_client' },
    });
  });

  it('refuses every token of a revoked grant', () => {
    const record = revoke(redeemed(), T0 + MINUTE);
    expect(rotateRefreshToken(record, rotation('refresh-1', 'refresh-2'), T0 + HOUR).result).toEqual({ ok: false, reason: 'revoked' });
  });

  it('accepts the previous token once within the leeway, in place of the current one the app never received', () => {
    const lost = rotated(redeemed(), 'refresh-1', 'refresh-2', T0 + HOUR);
    const retry = rotateRefreshToken(lost, rotation('refresh-1', 'refresh-3'), T0 + HOUR + LEEWAY - 1);
    expect(retry.result.ok).toBe(true);
    expect(retry.record!.refresh).toMatchObject({ currentHash: 'refresh-3', previous: undefined, retiredHashes: ['refresh-1', 'refresh-2'] });
    // Once: a second presentation of the superseded token within the leeway is reuse (regression,
    // issue 12 finding 6: it used to mint a new pair every time until the leeway ended).
    expect(rotateRefreshToken(retry.record, rotation('refresh-1', 'refresh-5'), T0 + HOUR + LEEWAY - 1).result).toMatchObject({ ok: false, reason: 'reused' });
    // The token it replaced was never delivered: presenting it now is reuse.
    expect(rotateRefreshToken(retry.record, rotation('refresh-2', 'refresh-4'), T0 + HOUR + LEEWAY - 1).result).toMatchObject({ ok: false, reason: 'reused' });
  });

  it('revokes the whole family when a replaced token comes back after the leeway', () => {
    const record = rotated(redeemed(), 'refresh-1', 'refresh-2', T0 + HOUR);
    const reuse = rotateRefreshToken(record, rotation('refresh-1', 'refresh-3'), T0 + HOUR + LEEWAY);
    expect(reuse.result).toEqual({ ok: false, reason: 'reused', userId: 'user_demo' });
    expect(reuse.record!.revokedAt).toBe(T0 + HOUR + LEEWAY);
    expect(rotateRefreshToken(reuse.record, rotation('refresh-2', 'refresh-3'), T0 + HOUR + LEEWAY + 1).result).toEqual({ ok: false, reason: 'revoked' });
  });

  it('recognises a token retired long ago as reuse', () => {
    let record = redeemed();
    for (let i = 1; i <= 5; i++) record = rotated(record, `refresh-${i}`, `refresh-${i + 1}`, T0 + i * HOUR);
    expect(rotateRefreshToken(record, rotation('refresh-2', 'refresh-x'), T0 + 6 * HOUR).result).toMatchObject({ ok: false, reason: 'reused' });
  });

  it('remembers the last 200 retired tokens, so the family stays bounded', () => {
    let record = redeemed();
    for (let i = 1; i <= 250; i++) record = rotated(record, `refresh-${i}`, `refresh-${i + 1}`, T0 + i * MINUTE);
    expect(record.refresh!.retiredHashes).toHaveLength(200);
    expect(record.refresh!.retiredHashes[0]).toBe('refresh-51');
    expect(rotateRefreshToken(record, rotation('refresh-51', 'refresh-x'), T0 + DAY).result).toMatchObject({ reason: 'reused' });
    expect(rotateRefreshToken(record, rotation('refresh-50', 'refresh-x'), T0 + DAY).result).toMatchObject({ reason: 'unknown' });
  });

  it('expires after the idle time without use, and at the absolute lifetime however often it is used', () => {
    const record = redeemed(T0);
    expect(rotateRefreshToken(record, rotation('refresh-1', 'refresh-2'), T0 + IDLE_TTL - 1).result.ok).toBe(true);
    expect(rotateRefreshToken(record, rotation('refresh-1', 'refresh-2'), T0 + IDLE_TTL).result).toEqual({ ok: false, reason: 'expired' });

    let used = record;
    let at = T0;
    let i = 1;
    while (at + IDLE_TTL / 2 < T0 + ABSOLUTE_TTL) {
      at += IDLE_TTL / 2;
      used = rotated(used, `refresh-${i}`, `refresh-${i + 1}`, at);
      i++;
    }
    expect(rotateRefreshToken(used, rotation(`refresh-${i}`, 'refresh-x'), T0 + ABSOLUTE_TTL).result).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('refreshTokenState (introspection and revocation)', () => {
  it('is active for the current token, and for the previous one only within the leeway', () => {
    const record = rotated(redeemed(), 'refresh-1', 'refresh-2', T0 + HOUR);
    expect(refreshTokenState(record, 'refresh-2', T0 + HOUR)).toBe('active');
    expect(refreshTokenState(record, 'refresh-1', T0 + HOUR + LEEWAY - 1)).toBe('active');
    expect(refreshTokenState(record, 'refresh-1', T0 + HOUR + LEEWAY)).toBe('inactive');
  });

  it('is inactive once retired, revoked or expired, and foreign for tokens it never issued', () => {
    const record = rotated(rotated(redeemed(), 'refresh-1', 'refresh-2', T0 + HOUR), 'refresh-2', 'refresh-3', T0 + 2 * HOUR);
    expect(refreshTokenState(record, 'refresh-1', T0 + 2 * HOUR)).toBe('inactive');
    expect(refreshTokenState(revoke(record, T0 + 2 * HOUR), 'refresh-3', T0 + 2 * HOUR)).toBe('inactive');
    expect(refreshTokenState(record, 'refresh-3', T0 + 2 * HOUR + IDLE_TTL)).toBe('inactive');
    expect(refreshTokenState(record, 'refresh-x', T0 + 2 * HOUR)).toBe('foreign');
    expect(refreshTokenState(issued(), 'refresh-1', T0)).toBe('foreign');
    expect(refreshTokenState(undefined, 'refresh-1', T0)).toBe('foreign');
  });
});

describe('revoke and access tokens', () => {
  it('keeps the first revocation time', () => {
    const once = revoke(redeemed(), T0 + MINUTE);
    expect(once.revokedAt).toBe(T0 + MINUTE);
    expect(revoke(once, T0 + HOUR)).toBe(once);
  });

  it('revokes access tokens one by one, or all of them with the grant; no record means revoked', () => {
    const record = redeemed();
    const one = revokeAccessToken(record, 'jti-1', T0 + HOUR, T0 + MINUTE);
    expect(isAccessTokenRevoked(one, 'jti-1')).toBe(true);
    expect(isAccessTokenRevoked(one, 'jti-2')).toBe(false);
    expect(isAccessTokenRevoked(revoke(record, T0 + MINUTE), 'jti-2')).toBe(true);
    expect(isAccessTokenRevoked(undefined, 'jti-2')).toBe(true);
  });

  it('forgets revoked access tokens once they have expired', () => {
    const record = revokeAccessToken(redeemed(), 'jti-1', T0 + HOUR, T0 + MINUTE);
    expect(Object.keys(revokeAccessToken(record, 'jti-2', T0 + 2 * HOUR, T0 + HOUR - 1).revokedJtis)).toEqual(['jti-1', 'jti-2']);
    expect(Object.keys(revokeAccessToken(record, 'jti-2', T0 + 2 * HOUR, T0 + HOUR).revokedJtis)).toEqual(['jti-2']);
  });
});

describe('retainUntil: how long the record is kept', () => {
  it('covers the refresh family until it can no longer be used, idle or absolute, whichever is first', () => {
    const record = redeemed(T0);
    expect(retainUntil(record)).toBe(T0 + IDLE_TTL);
    // Used every 6 days: the idle limit moves on, the absolute one does not.
    let used = record;
    for (let day = 6; day <= 18; day += 6) used = rotated(used, `refresh-${day / 6}`, `refresh-${day / 6 + 1}`, T0 + day * DAY);
    expect(retainUntil(used)).toBe(T0 + 18 * DAY + IDLE_TTL);
    used = rotated(used, 'refresh-4', 'refresh-5', T0 + 24 * DAY);
    expect(retainUntil(used)).toBe(T0 + ABSOLUTE_TTL);
  });

  it('covers the access tokens of a grant without refresh tokens', () => {
    const { record } = redeemCode(issued({ scopes: ['openid'] }), redemption(), T0 + SECOND);
    expect(retainUntil(record!)).toBe(T0 + SECOND + MAX_ACCESS_TOKEN_TTL_MS);
  });

  it('stops covering the refresh family once revoked, but still covers the access tokens (their jti must stay refused)', () => {
    const record = revoke(redeemed(T0), T0 + MINUTE);
    expect(retainUntil(record)).toBe(T0 + MAX_ACCESS_TOKEN_TTL_MS);
  });
});
