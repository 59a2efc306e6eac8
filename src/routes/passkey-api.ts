import { seal, unseal } from '../crypto/seal';
import { OAuthError, invalidGrant, invalidRequest } from '../errors/oauth-error';
import { NO_STORE } from '../errors/no-store';
import type { AppContext } from '../http/context';
import { readFormOrJson } from '../http/request-body';
import { mintPasskeyChallenge, PASSKEY_CHALLENGE_TTL_MS } from '../interaction/passkey-challenge';
import { signInWithPasskey } from '../interaction/passkey-sign-in';
import { asLoginRequest, type LoginRequest } from '../oauth/login-request';
import { getSealingKey } from '../tokens/key-cache';
import { pendingLoginRequest } from './authorize';

/**
 * The native passkey API (docs/mobile-guide.md, "Passkeys without a browser tab"): a first-party
 * app gets a challenge for its authorization request and answers with the platform's assertion
 * (ASAuthorizationPlatformPublicKeyCredentialProvider, Android Credential Manager), getting the
 * request's authorization code, which it redeems at /oauth/token with its PKCE verifier like any.
 * The pending request travels sealed in `auth_session` (as the browser's cookie carries it), so the
 * challenge endpoint writes no storage; the sign-in is the login page's (limits, one D1 read, one
 * call to the user's object).
 */
const PURPOSE = 'edge-auth/native-passkey-request/v1';

/** POST /passkey/challenge: the authorization request's parameters (or client_id + a PAR request_uri). */
export async function passkeyChallenge(c: AppContext): Promise<Response> {
  const { webauthn } = c.var.config;
  if (!webauthn.enabled) throw new OAuthError('request_not_supported', 'Passkeys are not available on this server.');
  const params = await readFormOrJson(c);
  const { pending } = await pendingLoginRequest(c, new URLSearchParams([...params]), false);
  const [authSession, challenge] = await Promise.all([seal(await getSealingKey(c.env), PURPOSE, pending), mintPasskeyChallenge(c.env, 'sign-in', pending.id)]);
  const publicKey = { challenge, rpId: webauthn.rpId, timeout: PASSKEY_CHALLENGE_TTL_MS, userVerification: 'required', allowCredentials: [] };
  return c.json({ auth_session: authSession, expires_in: Math.floor(PASSKEY_CHALLENGE_TTL_MS / 1000), public_key: publicKey }, 200, NO_STORE);
}

async function sealedRequest(c: AppContext, clientId: string, authSession: string): Promise<LoginRequest> {
  const request = asLoginRequest(await unseal(await getSealingKey(c.env), PURPOSE, authSession));
  if (!request || request.expiresAt <= Date.now() || request.clientId !== clientId) throw invalidGrant('The auth_session is invalid, expired or for another client.');
  return request;
}

/**
 * POST /passkey/sign-in: client_id, auth_session and credential (the assertion as the WebAuthn JSON
 * serialization, a string). Answers the authorization response as JSON: code, state, iss.
 */
export async function passkeySignIn(c: AppContext): Promise<Response> {
  const params = await readFormOrJson(c);
  const [clientId, authSession, credential] = ['client_id', 'auth_session', 'credential'].map((name) => params.get(name));
  if (!clientId || !authSession || !credential) throw invalidRequest('client_id, auth_session and credential are required.');
  const request = await sealedRequest(c, clientId, authSession);
  const attempt = await signInWithPasskey(c, request, credential);
  if (!attempt.signedIn) {
    c.var.audit({ event: 'login_failed', clientId, detail: { reason: `passkey_${attempt.reason}`.slice(0, 64), network: attempt.network, api: 'native' } });
    if (attempt.reason === 'network_limited') throw new OAuthError('temporarily_unavailable', 'Too many attempts; try again later.', { status: 429 });
    throw invalidGrant('The passkey could not sign the user in.', { detail: attempt.reason.slice(0, 64) });
  }
  c.var.audit({ event: 'login_succeeded', actor: `user:${attempt.userId}`, clientId, userId: attempt.userId, grantId: request.id, detail: { api: 'native' } });
  switch (attempt.result.approval) {
    case 'code_issued': {
      const response = new URL(attempt.codeLocation).searchParams;
      return c.json({ code: response.get('code'), state: response.get('state') ?? undefined, iss: response.get('iss') }, 200, NO_STORE);
    }
    // What needs a page (consent, a confirmed address) needs the browser tab.
    case 'consent_required':
      throw new OAuthError('consent_required', 'The user must consent in a browser tab (the authorization endpoint).');
    case 'verification_required':
      throw new OAuthError('interaction_required', 'The user must confirm their email address in a browser tab.');
    default:
      throw invalidGrant('The authorization request was already used, or the account cannot sign in.');
  }
}
