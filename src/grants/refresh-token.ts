import { sha256Base64url } from '../crypto/hash';
import { findApi } from '../db/registry';
import { userStore } from '../durable-objects/user-store';
import { invalidGrant, invalidScope } from '../errors/oauth-error';
import { parseHandle } from '../oauth/grant-handle';
import type { DpopFailure, RotateFailure } from '../oauth/grant-record';
import { optionalParam, requiredParam } from '../oauth/params';
import { invalidTarget, requestedResource } from '../oauth/resource-indicator';
import { parseScope, stillAllowedScopes } from '../oauth/scope';
import { dpopFailureError, isDpopFailure } from './dpop-failure';
import type { GrantHandler } from './grant-handler';
import { issueTokens, prepareRefreshToken } from './issue-tokens';

const FAILURES: Record<Exclude<RotateFailure, 'invalid_scope' | 'invalid_target' | DpopFailure>, string> = {
  unknown: 'The refresh token is invalid.',
  wrong_client: 'The refresh token is invalid.',
  revoked: 'The refresh token has been revoked.',
  expired: 'The refresh token has expired.',
  reused: 'The refresh token was already used; its grant has been revoked.',
};

/**
 * `grant_type=refresh_token` (RFC 6749 section 6) with rotation: every use returns a new refresh
 * token and retires the presented one, in one call to the user's object. A refresh may narrow the
 * scope for its access token, never widen it; the grant keeps its own scope. A `resource` may only
 * name the grant's own API (RFC 8707 section 2.2): a grant has one audience.
 */
export const refreshTokenGrant: GrantHandler = async ({ env, client, params, audit, dpop }) => {
  const token = requiredParam(params, 'refresh_token');
  const scope = optionalParam(params, 'scope');
  const resource = requestedResource(params);
  const target = parseHandle(token);
  if (!target) throw invalidGrant(FAILURES.unknown);
  const grantId = target.id;
  // The family keeps the key it was bound to at its start; `next` carries none.
  const next = await prepareRefreshToken(client, target, undefined);
  // The client is allowed this grant type (checked by the token endpoint), so `next` exists.
  if (!next) throw invalidGrant(FAILURES.unknown);

  // A blocked user's grants were revoked when the block was set: the object refuses them.
  const result = await userStore(env, target.userId).rotateRefreshToken(grantId, {
    tokenHash: await sha256Base64url(token),
    clientId: client.id,
    newTokenHash: next.stored.hash,
    scopes: scope === undefined ? undefined : parseScope(scope),
    resource,
    dpop,
  });
  if (!result.ok) {
    if (result.reason === 'invalid_scope') throw invalidScope('A refresh may only narrow the granted scope.');
    if (result.reason === 'invalid_target') throw invalidTarget('A refresh may only ask for the resource of its grant.');
    // Another key than the family's: the token was very likely taken from the device.
    if (result.reason === 'dpop_key_mismatch') audit({ event: 'dpop_key_mismatch', clientId: client.id, userId: target.userId, grantId });
    if (isDpopFailure(result.reason)) throw dpopFailureError(result.reason, 'refresh token');
    if (result.reason === 'reused') audit({ event: 'refresh_token_reuse_detected', clientId: client.id, userId: result.userId, grantId });
    throw invalidGrant(FAILURES[result.reason]);
  }
  // What the client and the API allow now, not at sign-in: a withdrawn audience ends the grant, a
  // withdrawn scope is left out (the rotated token is never delivered when the audience is gone).
  const api = await findApi(env, result.grant.audience);
  if (!api || !client.audiences.includes(result.grant.audience)) throw invalidGrant('This client may no longer get tokens for the API of this grant.');
  const scopes = stillAllowedScopes(result.scopes, client.scopes, api.scopes);
  audit({ event: 'token_refreshed', clientId: client.id, userId: result.grant.userId, grantId });
  return issueTokens(env, client, { ...result.grant, scopes, nonce: undefined, grantId }, next.token, dpop?.jkt);
};
