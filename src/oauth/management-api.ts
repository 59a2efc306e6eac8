/** The built-in Management API's identifier (migrations/0003_management_api.sql). */
export const MANAGEMENT_AUDIENCE = 'urn:edge-auth:management-api';

/**
 * The scope that passes on Management API access (migrations/0006_management_grant_scope.sql):
 * creating, changing or deleting a client grant for the Management API, and rotating the secret of
 * a client that holds one. `create:client_grants` alone reaches only other APIs.
 */
export const MANAGEMENT_GRANT_SCOPE = 'grant:management_api';

/**
 * The scopes in `passedOn` that the caller does not hold: a client may pass on (grant, or take over
 * with a client's secret) only Management API scopes its own token carries, so no client raises
 * itself or another above its own privilege.
 */
export function scopesBeyond(held: readonly string[], passedOn: readonly string[]): string[] {
  return passedOn.filter((scope) => !held.includes(scope));
}
