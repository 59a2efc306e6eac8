import { randomToken } from '../crypto/random';
import { findApi, findClientGrants } from '../db/registry';
import { invalidRequest, OAuthError } from '../errors/oauth-error';
import { optionalParam } from '../oauth/params';
import { findTarget, invalidTarget, requestedTarget } from '../oauth/resource-indicator';
import { grantMachineScopes, parseScope } from '../oauth/scope';
import type { GrantHandler } from './grant-handler';
import { signAccessTokenFor } from './issue-tokens';

/**
 * `grant_type=client_credentials` (RFC 6749 section 4.4): a confidential client gets a token for
 * itself, for an API it has a client grant for, with at most the granted scopes (all of them when
 * it asks for none, as Auth0 does). `sub` is the client (RFC 9068 section 2.2).
 */
export const clientCredentialsGrant: GrantHandler = async ({ env, client, params, audit, dpop }) => {
  // RFC 6749 section 4.4: only clients that can keep a secret.
  if (client.type !== 'confidential') throw new OAuthError('unauthorized_client', 'Only confidential clients may use client_credentials.');
  const grants = await findClientGrants(env, client.id);
  // `resource` (RFC 8707) or `audience` names the API, or the client's only grant does.
  const target = requestedTarget(params);
  if (!target && grants.length !== 1) throw invalidRequest('The audience or resource parameter is required for this client.');
  const audience = target ? findTarget(grants.map((g) => g.audience), target) : grants[0]!.audience;
  const grant = grants.find((g) => g.audience === audience);
  const api = grant && (await findApi(env, grant.audience));
  if (!grant || !api) {
    if (target?.via === 'resource') throw invalidTarget('This client has no grant for that resource.');
    throw new OAuthError('unauthorized_client', 'This client has no grant for that audience.');
  }
  // Granted and still defined by the API: a scope the API withdrew is not issued.
  const scopes = grantMachineScopes(parseScope(optionalParam(params, 'scope')), grant.scopes, api.scopes);

  const { accessToken, ttlSeconds } = await signAccessTokenFor(
    env,
    client,
    api,
    // No grant behind it: a plain random jti (no `.`), which revocation and introspection recognise.
    // A DPoP proof's jti is not remembered here (no user's object on this path): a replayed proof
    // still needs the client's secret, and yields a token bound to a key the replayer lacks.
    { subject: client.id, scopes, authTime: undefined, jti: randomToken(16), jkt: dpop?.jkt },
    Math.floor(Date.now() / 1000),
  );
  audit({ event: 'client_credentials_issued', actor: `client:${client.id}`, clientId: client.id, detail: { audience: grant.audience } });
  return { access_token: accessToken, token_type: dpop ? 'DPoP' : 'Bearer', expires_in: ttlSeconds, scope: scopes.join(' ') };
};
