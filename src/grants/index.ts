import { authorizationCodeGrant } from './authorization-code';
import { clientCredentialsGrant } from './client-credentials';
import { isGrantType, type GrantType } from '../oauth/grant-types';
import type { GrantHandler } from './grant-handler';
import { refreshTokenGrant } from './refresh-token';

/** One handler per grant type this server supports (src/oauth/grant-types.ts), by `grant_type`. */
const grantHandlers: Readonly<Record<GrantType, GrantHandler>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
};

export function grantHandler(grantType: string): GrantHandler | undefined {
  return isGrantType(grantType) ? grantHandlers[grantType] : undefined;
}
