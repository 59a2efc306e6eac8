import { sha256Base64url } from '../crypto/hash';
import { authorizationCodeStore } from '../durable-objects/authorization-code-store';
import { invalidGrant, invalidRequest } from '../errors/oauth-error';
import { authorizationCodeRequestId } from '../oauth/authorization-code';
import { optionalParam, requiredParam } from '../oauth/params';
import { isCodeVerifier, verifyPkce } from '../oauth/pkce';
import type { GrantHandler } from './grant-handler';
import { issueTokens } from './issue-tokens';

const log = (event: string, fields: Record<string, unknown>) => console.warn(JSON.stringify({ event, ...fields }));

/**
 * `grant_type=authorization_code` (RFC 6749 section 4.1.3, RFC 7636 section 4.5). The syntax is
 * checked before the code is touched, so a malformed request does not burn it; the first
 * presentation of the right code consumes it, whatever the checks after it decide.
 */
export const authorizationCodeGrant: GrantHandler = async ({ env, client, params }) => {
  const code = requiredParam(params, 'code');
  const redirectUri = requiredParam(params, 'redirect_uri');
  const verifier = optionalParam(params, 'code_verifier');
  if (verifier !== undefined && !isCodeVerifier(verifier)) {
    throw invalidRequest('code_verifier must be 43 to 128 unreserved characters.');
  }

  const requestId = authorizationCodeRequestId(code);
  if (!requestId) throw invalidGrant('The authorization code is invalid.');
  const result = await authorizationCodeStore(env, requestId).redeem(await sha256Base64url(code));
  if (!result.ok) {
    if (result.reason === 'replayed') log('authorization_code_replayed', { client_id: client.id });
    throw invalidGrant(
      result.reason === 'expired' ? 'The authorization code has expired.' : 'The authorization code is invalid or was already used.',
    );
  }

  const { grant } = result;
  // RFC 6749 section 4.1.3: the code belongs to the client it was issued to, for the URI it was sent to.
  if (grant.clientId !== client.id) throw invalidGrant('The authorization code was issued to another client.');
  if (grant.redirectUri !== redirectUri) throw invalidGrant('redirect_uri does not match the authorization request.');
  if (grant.codeChallenge === undefined) {
    // A verifier for a code issued without a challenge is a PKCE downgrade attempt (RFC 9700 section 2.1.1).
    if (verifier !== undefined) throw invalidGrant('This authorization code was not issued with PKCE.');
  } else {
    if (verifier === undefined) throw invalidGrant('code_verifier is required.');
    if (!(await verifyPkce(verifier, grant.codeChallenge))) throw invalidGrant('code_verifier does not match the code_challenge.');
  }

  return issueTokens(env, client, grant);
};
