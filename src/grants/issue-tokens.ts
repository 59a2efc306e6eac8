import { getConfig } from '../config';
import { getSigningKey } from '../crypto/keys';
import { signAccessToken, signIdToken } from '../crypto/jwt';
import { findApi } from '../db/registry';
import type { ClientRow } from '../db/schema';
import { invalidGrant } from '../errors/oauth-error';
import type { TokenResponse } from './grant-handler';

/** What a grant proves, whichever grant type proved it. */
export interface AuthorizedGrant {
  userId: string;
  audience: string;
  scopes: readonly string[];
  nonce: string | undefined;
  authTime: number;
}

/** Signs the access token for the grant's API, and an ID token when `openid` was granted. */
export async function issueTokens(env: Env, client: ClientRow, grant: AuthorizedGrant): Promise<TokenResponse> {
  const config = getConfig(env);
  const api = await findApi(env, grant.audience);
  // The API was checked at /authorize; it can only be gone if it was deleted since.
  if (!api) throw invalidGrant('The API of this grant no longer exists.');
  const now = Math.floor(Date.now() / 1000);
  const ttlSeconds = client.accessTokenTtlSeconds ?? api.accessTokenTtlSeconds ?? config.accessTokenTtlSeconds;
  const accessToken = await signAccessToken(
    await getSigningKey(env, api.signingAlg),
    {
      issuer: config.issuer,
      subject: grant.userId,
      audience: api.identifier,
      clientId: client.id,
      scopes: grant.scopes,
      authTime: grant.authTime,
      ttlSeconds,
    },
    now,
  );
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ttlSeconds,
    scope: grant.scopes.join(' '),
  };
  if (grant.scopes.includes('openid')) {
    response.id_token = await signIdToken(
      await getSigningKey(env, 'ES256'),
      {
        issuer: config.issuer,
        subject: grant.userId,
        clientId: client.id,
        nonce: grant.nonce,
        authTime: grant.authTime,
        accessToken,
        ttlSeconds: config.idTokenTtlSeconds,
      },
      now,
    );
  }
  return response;
}
