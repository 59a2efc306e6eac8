import { ACR_VALUES_SUPPORTED } from '../oauth/authentication-methods';
import { ID_TOKEN_ALG } from '../crypto/jwt';
import { listApis } from '../db/registry';
import type { AppContext } from '../http/context';
import { LOCALES } from '../i18n/messages';
import { registrationEnabled } from '../http/registration-access';
import { GRANT_TYPES } from '../oauth/grant-types';
import { DPOP_ALGS } from '../oauth/dpop-proof';
import { MANAGEMENT_AUDIENCE } from '../oauth/management-api';
import { OIDC_SCOPES } from '../oauth/scope';
import { getPublicJwks } from '../tokens/key-cache';
import { CLIENT_ASSERTION_ALGS } from '../oauth/client-assertion';

/** Public and cacheable for a short while: keys and metadata change rarely, and clients poll them. */
const PUBLIC_CACHE = { 'Cache-Control': 'public, max-age=300' } as const;

/** RFC 8414 section 2: only what this server actually does. */
async function authorizationServerMetadata(c: AppContext) {
  const { issuer } = c.var.config;
  // The Management API's scopes are for operators' tools, not something to advertise.
  const apiScopes = (await listApis(c.env)).filter((api) => api.identifier !== MANAGEMENT_AUDIENCE).flatMap((api) => api.scopes);
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    // RFC 9126 section 5: a request_uri from this endpoint works whatever request_uri_parameter_supported says.
    pushed_authorization_request_endpoint: `${issuer}/par`,
    ...(registrationEnabled(c.env, c.var.config) && { registration_endpoint: `${issuer}/register` }),
    require_pushed_authorization_requests: c.var.config.requirePushedAuthorizationRequests,
    scopes_supported: [...new Set([...OIDC_SCOPES, ...apiScopes])],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: GRANT_TYPES,
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    revocation_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    revocation_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    introspection_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    dpop_signing_alg_values_supported: DPOP_ALGS,
    client_id_metadata_document_supported: c.var.config.clientIdMetadataDocuments,
    // RFC 8414 section 2, OIDC Discovery 3: the languages of the pages, chosen by ui_locales.
    ui_locales_supported: LOCALES,
  };
}

export async function oauthMetadata(c: AppContext): Promise<Response> {
  return c.json(await authorizationServerMetadata(c), 200, PUBLIC_CACHE);
}

/** OpenID Connect Discovery 1.0 section 3. */
export async function openidConfiguration(c: AppContext): Promise<Response> {
  return c.json(
    {
      ...(await authorizationServerMetadata(c)),
      userinfo_endpoint: `${c.var.config.issuer}/userinfo`,
      end_session_endpoint: `${c.var.config.issuer}/logout`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [ID_TOKEN_ALG],
      claims_supported: ['iss', 'sub', 'aud', 'azp', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'amr', 'acr', 'name', 'updated_at', 'email', 'email_verified'],
      // select_account is accepted but has no effect (one session per browser), so it is not advertised.
      prompt_values_supported: ['none', 'login', 'consent'],
      // OIDC Discovery 3; the values are described in docs/operator-guide.md (Second factors).
      acr_values_supported: ACR_VALUES_SUPPORTED,
      // OIDC Discovery 3: request_parameter_supported defaults to false, but request_uri_parameter_supported
      // to true; both are said, and /authorize answers request_not_supported, or request_uri_not_supported
      // for any request_uri not issued by the pushed authorization request endpoint.
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    },
    200,
    PUBLIC_CACHE,
  );
}

export async function jwks(c: AppContext): Promise<Response> {
  const keys = await getPublicJwks(c.env);
  return c.json({ keys }, 200, PUBLIC_CACHE);
}
