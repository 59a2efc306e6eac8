import { sha256Base64url } from '../crypto/hash';
import { grantStore } from '../durable-objects/grant-store';
import { invalidGrant, invalidRequest } from '../errors/oauth-error';
import { handleId } from '../oauth/grant-handle';
import type { RedeemFailure } from '../oauth/grant-record';
import { optionalParam, requiredParam } from '../oauth/params';
import { isCodeVerifier, s256 } from '../oauth/pkce';
import type { GrantHandler } from './grant-handler';
import { issueTokens, prepareRefreshToken } from './issue-tokens';

const FAILURES: Record<RedeemFailure, string> = {
  unknown: 'The authorization code is invalid or was already used.',
  replayed: 'The authorization code is invalid or was already used.',
  expired: 'The authorization code has expired.',
  wrong_client: 'The authorization code was issued to another client.',
  wrong_redirect_uri: 'redirect_uri does not match the authorization request.',
  verifier_required: 'code_verifier is required.',
  verifier_mismatch: 'code_verifier does not match the code_challenge.',
  verifier_unexpected: 'This authorization code was not issued with PKCE.',
};

/**
 * `grant_type=authorization_code` (RFC 6749 section 4.1.3, RFC 7636 section 4.5). Syntax is
 * checked before the code is touched, so a malformed request does not spend it; then one call to
 * the grant's object checks the binding and consumes the code, and creates the refresh-token
 * family when the grant includes offline_access.
 */
export const authorizationCodeGrant: GrantHandler = async ({ env, client, params, audit }) => {
  const code = requiredParam(params, 'code');
  const redirectUri = requiredParam(params, 'redirect_uri');
  const verifier = optionalParam(params, 'code_verifier');
  if (verifier !== undefined && !isCodeVerifier(verifier)) {
    throw invalidRequest('code_verifier must be 43 to 128 unreserved characters.');
  }
  const grantId = handleId(code);
  if (!grantId) throw invalidGrant(FAILURES.unknown);

  const refresh = await prepareRefreshToken(client, grantId);
  const result = await grantStore(env, grantId).redeemCode({
    codeHash: await sha256Base64url(code),
    clientId: client.id,
    redirectUri,
    verifierChallenge: verifier === undefined ? undefined : await s256(verifier),
    refresh: refresh?.stored,
  });
  if (!result.ok) {
    // RFC 6749 section 4.1.2: a second use revokes the grant the first one created.
    if (result.reason === 'replayed') audit({ event: 'code_replay_detected', clientId: client.id, grantId });
    throw invalidGrant(FAILURES[result.reason]);
  }
  audit({ event: 'code_redeemed', clientId: client.id, userId: result.grant.userId, grantId, detail: { refresh_token: result.refreshIssued } });
  return issueTokens(env, client, { ...result.grant, grantId }, result.refreshIssued ? refresh?.token : undefined);
};
