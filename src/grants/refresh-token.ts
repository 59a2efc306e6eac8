import { sha256Base64url } from '../crypto/hash';
import { isUserActive } from '../db/users';
import { grantStore } from '../durable-objects/grant-store';
import { invalidGrant, invalidScope } from '../errors/oauth-error';
import { handleId } from '../oauth/grant-handle';
import type { RotateFailure } from '../oauth/grant-record';
import { optionalParam, requiredParam } from '../oauth/params';
import { parseScope } from '../oauth/scope';
import type { GrantHandler } from './grant-handler';
import { issueTokens, prepareRefreshToken } from './issue-tokens';

const FAILURES: Record<Exclude<RotateFailure, 'invalid_scope'>, string> = {
  unknown: 'The refresh token is invalid.',
  wrong_client: 'The refresh token is invalid.',
  revoked: 'The refresh token has been revoked.',
  expired: 'The refresh token has expired.',
  reused: 'The refresh token was already used; its grant has been revoked.',
};

/**
 * `grant_type=refresh_token` (RFC 6749 section 6) with rotation: every use returns a new refresh
 * token and retires the presented one, in one call to the grant's object. A refresh may narrow the
 * scope for its access token, never widen it; the grant keeps its own scope.
 */
export const refreshTokenGrant: GrantHandler = async ({ env, client, params, audit }) => {
  const token = requiredParam(params, 'refresh_token');
  const scope = optionalParam(params, 'scope');
  const grantId = handleId(token);
  if (!grantId) throw invalidGrant(FAILURES.unknown);
  const next = await prepareRefreshToken(client, grantId);
  // The client is allowed this grant type (checked by the token endpoint), so `next` exists.
  if (!next) throw invalidGrant(FAILURES.unknown);

  const result = await grantStore(env, grantId).rotateRefreshToken({
    tokenHash: await sha256Base64url(token),
    clientId: client.id,
    newTokenHash: next.stored.hash,
    scopes: scope === undefined ? undefined : parseScope(scope),
  });
  if (!result.ok) {
    if (result.reason === 'invalid_scope') throw invalidScope('A refresh may only narrow the granted scope.');
    if (result.reason === 'reused') audit({ event: 'refresh_token_reuse_detected', clientId: client.id, userId: result.userId, grantId });
    throw invalidGrant(FAILURES[result.reason]);
  }
  // A blocked or deleted user's app cannot refresh; the token it just rotated is never delivered.
  if (!(await isUserActive(env, result.grant.userId))) throw invalidGrant('The user of this grant is blocked or deleted.');
  audit({ event: 'token_refreshed', clientId: client.id, userId: result.grant.userId, grantId });
  return issueTokens(env, client, { ...result.grant, scopes: result.scopes, nonce: undefined, grantId }, next.token);
};
