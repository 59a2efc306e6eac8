import { getConfig } from '../config';
import { sha256Base64url } from '../crypto/hash';
import { ID_TOKEN_ALG, signAccessToken, signIdToken } from '../crypto/jwt';
import { randomToken } from '../crypto/random';
import { findApi } from '../db/registry';
import type { ApiRow, ClientRow } from '../db/schema';
import { invalidGrant } from '../errors/oauth-error';
import { encodeHandle, encodeJti, type HandleTarget } from '../oauth/grant-handle';
import type { NewRefreshToken } from '../oauth/grant-record';
import { getSigningKey } from '../tokens/key-cache';
import type { TokenResponse } from './grant-handler';

/** What a grant proves, whichever grant type proved it. */
export interface AuthorizedGrant {
  grantId: string;
  userId: string;
  audience: string;
  scopes: readonly string[];
  /** Sent only in the ID token of the authorization code exchange (OIDC Core 12.2). */
  nonce: string | undefined;
  authTime: number;
  amr?: readonly string[] | undefined;
}

/** A refresh token made before the grant's object is called, so that one call stores its hash. */
export interface PreparedRefreshToken {
  token: string;
  stored: NewRefreshToken;
}

/**
 * Offered to the grant's object when the client may use refresh tokens; RFC 6749 section 6. A
 * public client's family is bound to the DPoP key of the request that starts it (RFC 9449
 * section 5); a confidential client's refresh token is bound by its client authentication instead.
 */
export async function prepareRefreshToken(client: ClientRow, grant: HandleTarget, jkt: string | undefined): Promise<PreparedRefreshToken | undefined> {
  if (!client.grantTypes.includes('refresh_token')) return undefined;
  const token = encodeHandle(grant, randomToken(32));
  return {
    token,
    stored: {
      hash: await sha256Base64url(token),
      absoluteTtlMs: client.refreshTokenAbsoluteTtlSeconds * 1000,
      idleTtlMs: client.refreshTokenIdleTtlSeconds * 1000,
      leewayMs: client.refreshTokenReuseLeewaySeconds * 1000,
      jkt: client.type === 'public' ? jkt : undefined,
    },
  };
}

/**
 * Signs an RFC 9068 access token for an API, with the API's algorithm and the lifetime the client
 * or the API sets (client first, but never longer than the API's), else the configured default.
 */
export async function signAccessTokenFor(
  env: Env,
  client: ClientRow,
  api: ApiRow,
  token: { subject: string; scopes: readonly string[]; authTime: number | undefined; jti: string; jkt: string | undefined },
  now: number,
): Promise<{ accessToken: string; ttlSeconds: number }> {
  const config = getConfig(env);
  // An API's lifetime is a maximum: a client may shorten it, never stretch it (issue 12, finding 2).
  const requested = client.accessTokenTtlSeconds ?? api.accessTokenTtlSeconds ?? config.accessTokenTtlSeconds;
  const ttlSeconds = api.accessTokenTtlSeconds === null ? requested : Math.min(requested, api.accessTokenTtlSeconds);
  const accessToken = await signAccessToken(
    await getSigningKey(env, api.signingAlg),
    { issuer: config.issuer, audience: api.identifier, clientId: client.id, ttlSeconds, ...token },
    now,
  );
  return { accessToken, ttlSeconds };
}

/**
 * Signs the access token for the grant's API (bound to `jkt`, the DPoP key, when given), adds an
 * ID token when `openid` was granted, and the refresh token the grant's object accepted.
 */
export async function issueTokens(
  env: Env,
  client: ClientRow,
  grant: AuthorizedGrant,
  refreshToken: string | undefined,
  jkt: string | undefined,
): Promise<TokenResponse> {
  const config = getConfig(env);
  const api = await findApi(env, grant.audience);
  // The API was checked at /authorize; it can only be gone if it was deleted since.
  if (!api) throw invalidGrant('The API of this grant no longer exists.');
  const now = Math.floor(Date.now() / 1000);
  const { accessToken, ttlSeconds } = await signAccessTokenFor(
    env,
    client,
    api,
    {
      subject: grant.userId,
      scopes: grant.scopes,
      authTime: grant.authTime,
      // With `sub`, the grant id leads revocation and introspection to the grant in the user's object.
      jti: encodeJti(grant.grantId, randomToken(16)),
      jkt,
    },
    now,
  );
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: jkt === undefined ? 'Bearer' : 'DPoP',
    expires_in: ttlSeconds,
    scope: grant.scopes.join(' '),
  };
  if (refreshToken !== undefined) response.refresh_token = refreshToken;
  if (grant.scopes.includes('openid')) {
    response.id_token = await signIdToken(
      await getSigningKey(env, ID_TOKEN_ALG),
      {
        issuer: config.issuer,
        subject: grant.userId,
        clientId: client.id,
        nonce: grant.nonce,
        authTime: grant.authTime,
        amr: grant.amr,
        accessToken,
        ttlSeconds: config.idTokenTtlSeconds,
      },
      now,
    );
  }
  return response;
}
