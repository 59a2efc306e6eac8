import { getConfig } from '../config';
import { sha256Base64url } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { userStore } from '../durable-objects/user-store';
import { invalidGrant, invalidRequest } from '../errors/oauth-error';
import { findClient } from '../http/find-client';
import type { Approval, ConsentRequest } from '../oauth/account-record';
import { encodeHandle, parseHandle } from '../oauth/grant-handle';
import type { DpopFailure, RedeemFailure } from '../oauth/grant-record';
import type { LoginRequest } from '../oauth/login-request';
import { optionalParam, requiredParam } from '../oauth/params';
import { isCodeVerifier, s256 } from '../oauth/pkce';
import { withQuery } from '../oauth/redirect-uri';
import { invalidTarget, requestedResource } from '../oauth/resource-indicator';
import { dpopFailureError, isDpopFailure } from './dpop-failure';
import type { GrantHandler } from './grant-handler';
import { issueTokens, prepareRefreshToken } from './issue-tokens';

/**
 * The authorization code's whole life is in this module: minted when the user approves, redeemed
 * at the token endpoint. A code is a handle `<user id>.<request id>.<secret>`; only its SHA-256
 * is stored, in the user's Durable Object, as the grant named by the request id, so a request
 * gets one code, ever.
 */
const hashCode = sha256Base64url;

/** A code ready for the user's object to store, and the redirect that delivers it if it does. */
export interface MintedCode {
  approval: Approval;
  /** The app's redirect URI with the response (RFC 6749 section 4.1.2, `iss` from RFC 9207). */
  location: string;
}

export async function mintCode(
  env: Env,
  userId: string,
  request: LoginRequest,
  consent: ConsentRequest,
  verifyEmailFirst = false,
): Promise<MintedCode> {
  const config = getConfig(env);
  // The client comes from the isolate's cache: /authorize has just read it.
  const requireMfa = request.requireMfa === true || (await findClient(env, request.clientId))?.requireMfa === true;
  const code = encodeHandle({ userId, id: request.id }, randomToken(32));
  const approval: Approval = {
    grantId: request.id,
    codeHash: await hashCode(code),
    grant: {
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scopes: request.scopes,
      audience: request.audience,
      nonce: request.nonce,
      expiresAt: Date.now() + config.authorizationCodeTtlSeconds * 1000,
      dpopJkt: request.dpopJkt,
    },
    requestExpiresAt: request.expiresAt,
    consent,
    verifyEmailFirst,
    requireMfa,
  };
  return { approval, location: withQuery(request.redirectUri, { code, state: request.state, iss: config.issuer }) };
}

const FAILURES: Record<Exclude<RedeemFailure, DpopFailure | 'wrong_resource'>, string> = {
  unknown: 'The authorization code is invalid or was already used.',
  replayed: 'The authorization code is invalid or was already used.',
  revoked: 'The authorization code has been revoked.',
  expired: 'The authorization code has expired.',
  // A mismatch found once the code is presented spends it (RFC 6749 section 4.1.2): say so, so an
  // app's developer knows to start a new authorization request rather than retry.
  wrong_client: 'The authorization code was issued to another client; it is now spent.',
  wrong_redirect_uri: 'redirect_uri does not match the authorization request; the code is now spent.',
  verifier_required: 'code_verifier is required; the code is now spent.',
  verifier_mismatch: 'code_verifier does not match the code_challenge; the code is now spent.',
  verifier_unexpected: 'This authorization code was not issued with PKCE; the code is now spent.',
};

/**
 * `grant_type=authorization_code` (RFC 6749 section 4.1.3, RFC 7636 section 4.5). Syntax is
 * checked before the code is touched, so a malformed request does not spend it; then one call to
 * the user's object checks the binding and consumes the code, and creates the refresh-token
 * family when the grant includes offline_access.
 */
export const authorizationCodeGrant: GrantHandler = async ({ env, client, params, audit, dpop }) => {
  const code = requiredParam(params, 'code');
  const redirectUri = requiredParam(params, 'redirect_uri');
  const verifier = optionalParam(params, 'code_verifier');
  // RFC 8707 section 2.2: the resource chosen at /authorize is bound to the code; one sent here must name it.
  const resource = requestedResource(params);
  if (verifier !== undefined && !isCodeVerifier(verifier)) {
    throw invalidRequest('code_verifier must be 43 to 128 unreserved characters; the code was not used.');
  }
  // Public clients always use PKCE (RFC 9700 section 2.1.1): a missing verifier is a malformed
  // request, refused before the code is touched (issue 18: it used to spend the code).
  if (verifier === undefined && client.type === 'public') throw invalidRequest('code_verifier is required (PKCE); the code was not used.');
  const target = parseHandle(code);
  if (!target) throw invalidGrant(FAILURES.unknown);
  const grantId = target.id;

  const refresh = await prepareRefreshToken(client, target, dpop?.jkt);
  const result = await userStore(env, target.userId).redeemCode(grantId, {
    codeHash: await hashCode(code),
    clientId: client.id,
    redirectUri,
    verifierChallenge: verifier === undefined ? undefined : await s256(verifier),
    resource,
    refresh: refresh?.stored,
    dpop,
  });
  if (!result.ok) {
    // RFC 6749 section 4.1.2: a second use revokes the grant the first one created.
    if (result.reason === 'replayed') audit({ event: 'code_replay_detected', clientId: client.id, userId: target.userId, grantId });
    // A code bound by dpop_jkt presented with another key is spent like any other mismatch.
    if (result.reason === 'dpop_key_mismatch') audit({ event: 'dpop_key_mismatch', clientId: client.id, userId: target.userId, grantId });
    if (isDpopFailure(result.reason)) throw dpopFailureError(result.reason, 'authorization code');
    if (result.reason === 'wrong_resource') throw invalidTarget('resource is not the one of the authorization request; the code is now spent.');
    throw invalidGrant(FAILURES[result.reason]);
  }
  audit({ event: 'code_redeemed', clientId: client.id, userId: result.grant.userId, grantId, detail: { refresh_token: result.refreshIssued } });
  return issueTokens(env, client, { ...result.grant, grantId }, result.refreshIssued ? refresh?.token : undefined, dpop?.jkt);
};
