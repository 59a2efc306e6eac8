import { authorizationCodeGrant } from './authorization-code';
import { clientCredentialsGrant } from './client-credentials';
import type { GrantHandler } from './grant-handler';
import { refreshTokenGrant } from './refresh-token';

/** The grant types this server supports, by `grant_type`. */
export const grantHandlers: Readonly<Record<string, GrantHandler>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
};

export function grantHandler(grantType: string): GrantHandler | undefined {
  return Object.hasOwn(grantHandlers, grantType) ? grantHandlers[grantType] : undefined;
}
