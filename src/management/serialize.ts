import type { ApiRow, ClientGrantRow, ClientRow } from '../db/schema';
import type { KeySummary } from '../durable-objects/signing-key-store';

/** JSON shapes of the Management API: snake_case, and never a secret hash or password hash. */
export const clientJson = (row: ClientRow) => ({
  id: row.id,
  name: row.name,
  type: row.type,
  redirect_uris: row.redirectUris,
  post_logout_redirect_uris: row.postLogoutRedirectUris,
  grant_types: row.grantTypes,
  scopes: row.scopes,
  audiences: row.audiences,
  access_token_ttl_seconds: row.accessTokenTtlSeconds,
  refresh_token_absolute_ttl_seconds: row.refreshTokenAbsoluteTtlSeconds,
  refresh_token_idle_ttl_seconds: row.refreshTokenIdleTtlSeconds,
  refresh_token_reuse_leeway_seconds: row.refreshTokenReuseLeewaySeconds,
  require_consent: row.requireConsent,
  sso_confirmation: row.ssoConfirmation,
  // null: by the client's type, none for a public client, the secret (Basic or in the body) for a confidential one.
  token_endpoint_auth_method: row.tokenEndpointAuthMethod,
  jwks: row.jwks,
  jwks_uri: row.jwksUri,
  require_pushed_authorization_requests: row.requirePushedAuthorizationRequests,
  dpop_bound_access_tokens: row.dpopBoundAccessTokens,
  allow_signup: row.allowSignup,
  require_verified_email: row.requireVerifiedEmail,
  default_locale: row.defaultLocale,
  require_mfa: row.requireMfa,
  ios_app_ids: row.iosAppIds,
  android_packages: row.androidPackages,
  logo_uri: row.logoUri,
  primary_color: row.primaryColor,
  connections: row.connections,
  /** `dynamic`: registered by the client itself (RFC 7591), unverified, expires when unused. */
  registration: row.registration,
  last_used_at: row.lastUsedAt?.toISOString() ?? null,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

export const apiJson = (row: ApiRow) => ({
  id: row.id,
  identifier: row.identifier,
  name: row.name,
  scopes: row.scopes,
  scope_descriptions: row.scopeDescriptions,
  access_token_ttl_seconds: row.accessTokenTtlSeconds,
  signing_alg: row.signingAlg,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

export const clientGrantJson = (row: ClientGrantRow) => ({
  id: row.id,
  client_id: row.clientId,
  audience: row.audience,
  scopes: row.scopes,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

export const keyJson = (key: KeySummary) => ({
  kid: key.kid,
  alg: key.alg,
  status: key.status,
  created_at: key.createdAt,
  promoted_at: key.promotedAt ?? null,
  demoted_at: key.demotedAt ?? null,
  withdrawn_at: key.withdrawnAt ?? null,
});
