import { getConfig } from '../config';
import { sha256Base64url } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { grantStore } from '../durable-objects/grant-store';
import { invalidGrant, invalidRequest } from '../errors/oauth-error';
import { encodeHandle, handleId } from '../oauth/grant-handle';
import type { AuthorizationGrant, RedeemFailure } from '../oauth/grant-record';
import { pendingRequestGone, type LoginRequest, type SignedInUser } from '../oauth/login-request';
import { optionalParam, requiredParam } from '../oauth/params';
import { isCodeVerifier, s256 } from '../oauth/pkce';
import { withQuery } from '../oauth/redirect-uri';
import type { GrantHandler } from './grant-handler';
import { issueTokens, prepareRefreshToken } from './issue-tokens';

/**
 * The authorization code's whole life is in this module: minted when the user approves, redeemed
 * at the token endpoint. A code is a handle `<request id>.<secret>`; only its SHA-256 is stored, in
 * the grant's own Durable Object named by the request id, so a request gets one code, ever.
 */
const hashCode = sha256Base64url;

/**
 * Issues the code for an authorization request the user has approved and returns the app's
 * redirect URI with the response (RFC 6749 section 4.1.2, `iss` from RFC 9207).
 */
export async function issueCode(env: Env, request: Omit<LoginRequest, 'clientName'>, user: SignedInUser): Promise<string> {
  const config = getConfig(env);
  const code = encodeHandle(request.id, randomToken(32));
  const grant: AuthorizationGrant = {
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    scopes: request.scopes,
    audience: request.audience,
    userId: user.userId,
    nonce: request.nonce,
    authTime: user.authTime,
    expiresAt: Date.now() + config.authorizationCodeTtlSeconds * 1000,
  };
  const issued = await grantStore(env, request.id).issueCode(await hashCode(code), grant, request.expiresAt);
  if (!issued) throw pendingRequestGone();
  return withQuery(request.redirectUri, { code, state: request.state, iss: config.issuer });
}

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
    codeHash: await hashCode(code),
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
