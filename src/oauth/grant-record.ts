import { timingSafeEqual } from '../crypto/timing-safe';
import { rememberProof, type PresentedProof } from './dpop-replay';
import { checkPkce, type PkceFailure } from './pkce';
import { isResource } from './resource-indicator';

/** What an authorization code stands for: everything the token endpoint needs, captured at sign-in. */
export interface AuthorizationGrant {
  clientId: string;
  /** The exact redirect_uri of the authorization request (RFC 6749 section 4.1.3). */
  redirectUri: string;
  /** S256 code challenge (RFC 7636 section 4.2); undefined only for a confidential client without PKCE. */
  codeChallenge: string | undefined;
  scopes: string[];
  audience: string;
  userId: string;
  nonce: string | undefined;
  /** When the user authenticated, in seconds (OIDC `auth_time`). */
  authTime: number;
  /** When the code expires, in milliseconds since the epoch. */
  expiresAt: number;
  /** `dpop_jkt` of the authorization request: the code is redeemed only with a proof by this key (RFC 9449 section 10). */
  dpopJkt?: string | undefined;
  /** How the user signed in (RFC 8176 `amr`), when the sign-in said: the ID token carries it. */
  amr?: readonly string[] | undefined;
}

/**
 * The refresh tokens descended from one authorization: one current token, the one it replaced
 * (usable once more within the client's leeway), and the hashes of all retired ones, so that
 * presenting any of them is recognised as reuse (RFC 9700 section 4.14.2).
 */
export interface RefreshFamily {
  currentHash: string;
  previous: { hash: string; usableUntil: number } | undefined;
  retiredHashes: string[];
  absoluteExpiresAt: number;
  idleTtlMs: number;
  leewayMs: number;
  lastUsedAt: number;
  /**
   * The DPoP key (RFC 7638 thumbprint) a public client's family is bound to for life (RFC 9449
   * section 5): every refresh needs a proof by this key.
   */
  jkt?: string | undefined;
}

/** One grant, from its code to its last token. */
export interface GrantRecord {
  codeHash: string;
  grant: AuthorizationGrant;
  redeemedAt: number | undefined;
  replays: number;
  /** Set when the grant is revoked as a whole: code replay, refresh reuse, or revocation. */
  revokedAt: number | undefined;
  refresh: RefreshFamily | undefined;
  /** Access tokens revoked by `jti`, each remembered until it expires (ms). */
  revokedJtis: Record<string, number>;
  /** The request this grant came from may not issue another code before this time (ms). */
  requestExpiresAt: number;
  /** Every access token of this grant has expired by then (ms). */
  accessTokensExpireBy: number;
  /** The jti of DPoP proofs this grant accepted, each until it expires (ms): src/oauth/dpop-replay.ts. */
  dpopProofs?: Record<string, number>;
}

/** Longest access-token lifetime any API or client may configure; bounds how long records are kept. */
export const MAX_ACCESS_TOKEN_TTL_MS = 24 * 3600 * 1000;
/** Reuse detection remembers this many retired refresh tokens per family. */
const MAX_RETIRED = 200;

export function newGrantRecord(codeHash: string, grant: AuthorizationGrant, requestExpiresAt: number): GrantRecord {
  return {
    codeHash,
    grant,
    redeemedAt: undefined,
    replays: 0,
    revokedAt: undefined,
    refresh: undefined,
    revokedJtis: {},
    requestExpiresAt,
    accessTokensExpireBy: 0,
  };
}

/** When the record may be deleted: nothing it issued can be used or needs recognising after it. */
export function retainUntil(record: GrantRecord): number {
  const family = record.refresh;
  const refreshEnd = family ? Math.min(family.absoluteExpiresAt, family.lastUsedAt + family.idleTtlMs) : 0;
  return Math.max(record.grant.expiresAt, record.requestExpiresAt, record.accessTokensExpireBy, record.revokedAt ? 0 : refreshEnd);
}

export interface NewRefreshToken {
  hash: string;
  absoluteTtlMs: number;
  idleTtlMs: number;
  leewayMs: number;
  /** Binds the family to this DPoP key (public clients that sent a proof). */
  jkt?: string | undefined;
}

export interface RedeemCodeInput {
  codeHash: string;
  clientId: string;
  redirectUri: string;
  /** S256 of the presented code_verifier, or undefined when none was sent. */
  verifierChallenge: string | undefined;
  /** The token request's `resource` (RFC 8707 section 2.2): if sent, the one the code was issued for. */
  resource?: string | undefined;
  /** Offered when the client may use refresh tokens; kept only if the grant includes offline_access. */
  refresh: NewRefreshToken | undefined;
  /** The DPoP proof sent with the request, if any. */
  dpop?: PresentedProof | undefined;
}

/** DPoP refusals shared by redemption and rotation. */
export type DpopFailure = 'dpop_key_mismatch' | 'dpop_required' | 'dpop_replayed' | 'dpop_too_many';

export type RedeemFailure = 'unknown' | 'revoked' | 'expired' | 'replayed' | 'wrong_client' | 'wrong_redirect_uri' | 'wrong_resource' | DpopFailure | PkceFailure;

export type RedeemResult =
  | { ok: true; grant: AuthorizationGrant; refreshIssued: boolean }
  | { ok: false; reason: RedeemFailure };

export function revoke(record: GrantRecord, now: number): GrantRecord {
  return record.revokedAt === undefined ? { ...record, revokedAt: now } : record;
}

function checkBinding(grant: AuthorizationGrant, input: RedeemCodeInput): RedeemFailure | undefined {
  // RFC 6749 section 4.1.3: issued to this client, for this redirect URI.
  if (grant.clientId !== input.clientId) return 'wrong_client';
  if (grant.redirectUri !== input.redirectUri) return 'wrong_redirect_uri';
  if (input.resource !== undefined && !isResource(grant.audience, input.resource)) return 'wrong_resource';
  if (grant.dpopJkt !== undefined && grant.dpopJkt !== input.dpop?.jkt) return 'dpop_key_mismatch';
  return checkPkce(grant.codeChallenge, input.verifierChallenge);
}

/** The record with the proof's jti remembered, or why the proof is refused; unchanged without a proof. */
function withProof(record: GrantRecord, proof: PresentedProof | undefined, now: number): GrantRecord | 'dpop_replayed' | 'dpop_too_many' {
  if (!proof) return record;
  const remembered = rememberProof(record.dpopProofs, proof, now);
  return remembered.ok ? { ...record, dpopProofs: remembered.seen } : remembered.reason;
}

/**
 * Redeems the code (RFC 6749 section 4.1.2): the first presentation of the right code spends it,
 * whatever the checks after it decide. A second presentation revokes the grant the first created.
 */
export function redeemCode(
  record: GrantRecord | undefined,
  input: RedeemCodeInput,
  now: number,
): { record: GrantRecord | undefined; result: RedeemResult } {
  if (!record || !timingSafeEqual(record.codeHash, input.codeHash)) return { record, result: { ok: false, reason: 'unknown' } };
  if (record.redeemedAt !== undefined) {
    return { record: { ...revoke(record, now), replays: record.replays + 1 }, result: { ok: false, reason: 'replayed' } };
  }
  if (now >= record.grant.expiresAt) return { record, result: { ok: false, reason: 'expired' } };
  // A replayed proof is refused before the code is spent: the request it came with spent it already.
  const proved = withProof(record, input.dpop, now);
  if (typeof proved === 'string') return { record, result: { ok: false, reason: proved } };
  const spent: GrantRecord = { ...proved, redeemedAt: now };
  // Revoked before it was redeemed: the user was blocked or signed out everywhere meanwhile.
  if (record.revokedAt !== undefined) return { record: spent, result: { ok: false, reason: 'revoked' } };
  const failure = checkBinding(record.grant, input);
  if (failure) return { record: spent, result: { ok: false, reason: failure } };

  const refreshIssued = input.refresh !== undefined && record.grant.scopes.includes('offline_access');
  const refresh: RefreshFamily | undefined =
    refreshIssued && input.refresh
      ? {
          currentHash: input.refresh.hash,
          previous: undefined,
          retiredHashes: [],
          absoluteExpiresAt: now + input.refresh.absoluteTtlMs,
          idleTtlMs: input.refresh.idleTtlMs,
          leewayMs: input.refresh.leewayMs,
          lastUsedAt: now,
          jkt: input.refresh.jkt,
        }
      : undefined;
  return {
    record: { ...spent, refresh, accessTokensExpireBy: now + MAX_ACCESS_TOKEN_TTL_MS },
    result: { ok: true, grant: record.grant, refreshIssued },
  };
}

export interface RotateInput {
  tokenHash: string;
  clientId: string;
  newTokenHash: string;
  /** A narrower scope for this refresh (RFC 6749 section 6), or undefined for the grant's own. */
  scopes: string[] | undefined;
  /** A `resource` for this refresh (RFC 8707 section 2.2): only the grant's own, which narrows nothing. */
  resource?: string | undefined;
  /** The DPoP proof sent with the request, if any. */
  dpop?: PresentedProof | undefined;
}

export type RotateFailure = 'unknown' | 'revoked' | 'expired' | 'reused' | 'wrong_client' | 'invalid_scope' | 'invalid_target' | DpopFailure;

export type RotateResult =
  | { ok: true; grant: AuthorizationGrant; scopes: string[] }
  | { ok: false; reason: RotateFailure; userId?: string | undefined };

function isRetired(family: RefreshFamily, hash: string): boolean {
  // Every entry is compared, so the time does not tell which one matched.
  return family.retiredHashes.reduce((found, retired) => timingSafeEqual(retired, hash) || found, false);
}

/**
 * Rotates a refresh token (RFC 9700 section 4.14.2): the presented token is replaced by a new one.
 * Presenting a token that was already replaced revokes the whole family, except once within the
 * client's leeway, for an app that lost the response to a network drop: the superseded token may
 * be used at most once more, and only before the leeway ends.
 */
export function rotateRefreshToken(
  record: GrantRecord | undefined,
  input: RotateInput,
  now: number,
): { record: GrantRecord | undefined; result: RotateResult } {
  const family = record?.refresh;
  if (!record || !family) return { record, result: { ok: false, reason: 'unknown' } };
  const isCurrent = timingSafeEqual(family.currentHash, input.tokenHash);
  const isPrevious = family.previous !== undefined && timingSafeEqual(family.previous.hash, input.tokenHash);
  const retired = isRetired(family, input.tokenHash);
  if (!isCurrent && !isPrevious && !retired) return { record, result: { ok: false, reason: 'unknown' } };
  if (record.grant.clientId !== input.clientId) return { record, result: { ok: false, reason: 'wrong_client' } };
  if (record.revokedAt !== undefined) return { record, result: { ok: false, reason: 'revoked' } };
  // A bound family is refreshed only with its key (RFC 9449 section 5); a stolen token without it
  // is refused before it can count as reuse and end the family for its owner.
  if (family.jkt !== undefined && input.dpop === undefined) return { record, result: { ok: false, reason: 'dpop_required' } };
  if (family.jkt !== undefined && input.dpop?.jkt !== family.jkt) return { record, result: { ok: false, reason: 'dpop_key_mismatch' } };
  const proved = withProof(record, input.dpop, now);
  if (typeof proved === 'string') return { record, result: { ok: false, reason: proved } };

  const withinLeeway = isPrevious && family.previous !== undefined && now < family.previous.usableUntil;
  if (!isCurrent && !withinLeeway) return { record: revoke(proved, now), result: { ok: false, reason: 'reused', userId: record.grant.userId } };
  if (now >= family.absoluteExpiresAt || now >= family.lastUsedAt + family.idleTtlMs) {
    return { record, result: { ok: false, reason: 'expired' } };
  }
  const scopes = input.scopes ?? record.grant.scopes;
  if (!scopes.every((scope) => record.grant.scopes.includes(scope))) return { record, result: { ok: false, reason: 'invalid_scope' } };
  if (input.resource !== undefined && !isResource(record.grant.audience, input.resource)) return { record, result: { ok: false, reason: 'invalid_target' } };

  const retiredHashes = [...family.retiredHashes, family.currentHash].slice(-MAX_RETIRED);
  const rotated: RefreshFamily = isCurrent
    ? { ...family, currentHash: input.newTokenHash, previous: { hash: family.currentHash, usableUntil: now + family.leewayMs }, retiredHashes, lastUsedAt: now }
    : // Within the leeway the previous token replaces the current one, which the app never received,
      // once: it is no longer `previous`, so presenting it again is reuse.
      { ...family, currentHash: input.newTokenHash, previous: undefined, retiredHashes, lastUsedAt: now };
  return {
    record: { ...proved, refresh: rotated, accessTokensExpireBy: now + MAX_ACCESS_TOKEN_TTL_MS },
    result: { ok: true, grant: record.grant, scopes },
  };
}

/** Whether a refresh token is this family's live one: for introspection and revocation. */
export function refreshTokenState(record: GrantRecord | undefined, tokenHash: string, now: number): 'active' | 'inactive' | 'foreign' {
  const family = record?.refresh;
  if (!record || !family) return 'foreign';
  const isCurrent = timingSafeEqual(family.currentHash, tokenHash);
  const isPrevious = family.previous !== undefined && timingSafeEqual(family.previous.hash, tokenHash);
  if (!isCurrent && !isPrevious && !isRetired(family, tokenHash)) return 'foreign';
  const live =
    record.revokedAt === undefined &&
    now < family.absoluteExpiresAt &&
    now < family.lastUsedAt + family.idleTtlMs &&
    (isCurrent || (isPrevious && now < family.previous!.usableUntil));
  return live ? 'active' : 'inactive';
}

export function isAccessTokenRevoked(record: GrantRecord | undefined, jti: string): boolean {
  // No record means the grant never existed or has outlived every token it issued.
  if (!record) return true;
  return record.revokedAt !== undefined || Object.hasOwn(record.revokedJtis, jti);
}

export type DpopAccessResult = 'live' | 'revoked' | 'dpop_replayed' | 'dpop_too_many';

/**
 * A DPoP-bound access token of this grant used at one of our resources: live, and the proof's jti
 * not seen before (it is remembered, so a captured request cannot be replayed).
 */
export function useDpopAccessToken(
  record: GrantRecord | undefined,
  jti: string,
  proof: PresentedProof,
  now: number,
): { record: GrantRecord | undefined; result: DpopAccessResult } {
  if (!record || isAccessTokenRevoked(record, jti)) return { record, result: 'revoked' };
  const proved = withProof(record, proof, now);
  return typeof proved === 'string' ? { record, result: proved } : { record: proved, result: 'live' };
}

export function revokeAccessToken(record: GrantRecord, jti: string, expiresAt: number, now: number): GrantRecord {
  const revokedJtis = Object.fromEntries(Object.entries(record.revokedJtis).filter(([, exp]) => exp > now));
  return { ...record, revokedJtis: { ...revokedJtis, [jti]: expiresAt } };
}
