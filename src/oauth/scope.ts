import { invalidScope } from '../errors/oauth-error';

/** RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * OpenID Connect scopes (OIDC Core sections 5.4 and 11): they name claims about the user, or ask
 * for a refresh token, rather than permissions at an API.
 */
export const OIDC_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'offline_access'];

/**
 * Lets a first-party app delete its user's account through `DELETE /account` (App Store Review
 * Guideline 5.1.1(v)); a client may ask for it only when an operator allowed it in its scopes.
 */
export const DELETE_ACCOUNT_SCOPE = 'delete:account';

/** Scopes edge-auth itself defines, offered whatever the API: OIDC's and its own. */
export const SERVER_SCOPES: readonly string[] = [...OIDC_SCOPES, DELETE_ACCOUNT_SCOPE];

/** Splits a scope parameter into distinct tokens, in the order asked. */
export function parseScope(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const tokens = raw.split(' ').filter((token) => token !== '');
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw invalidScope('The scope parameter is malformed.', { detail: { malformed_scope: token } });
  }
  return [...new Set(tokens)];
}

/**
 * Checks that every requested scope is both offered by the API (or is an OIDC scope) and allowed
 * to the client. Unknown scopes are refused rather than dropped, so a client learns of its mistake.
 */
export function grantScopes(requested: readonly string[], apiScopes: readonly string[], clientScopes: readonly string[]): string[] {
  for (const scope of requested) {
    const offered = apiScopes.includes(scope) || SERVER_SCOPES.includes(scope);
    if (!offered || !clientScopes.includes(scope)) {
      // Named only when it is a scope the API defines: arbitrary input is never reflected, since an
      // attacker's link could make the app display its text. The log has it either way.
      const description = offered ? `The scope ${scope} is not available to this client.` : 'A requested scope is not defined by the API.';
      throw invalidScope(description, { detail: { refused_scope: scope, reason: offered ? 'not allowed to the client' : 'not defined by the API' } });
    }
  }
  return [...requested];
}

/**
 * Scopes for a machine token (client credentials, RFC 6749 section 4.4): those granted to the client
 * for the API that the API still defines; all of them when none are asked for, as Auth0 does.
 */
export function grantMachineScopes(requested: readonly string[], granted: readonly string[], apiScopes: readonly string[]): string[] {
  const available = granted.filter((scope) => apiScopes.includes(scope));
  for (const scope of requested) {
    if (!available.includes(scope)) {
      throw invalidScope('A requested scope is not granted to this client for that audience.', { detail: { refused_scope: scope } });
    }
  }
  return requested.length > 0 ? [...requested] : available;
}

/**
 * What a grant may still carry: its scopes that the client is still allowed and the API (or OpenID
 * Connect) still defines. A refresh issues only these, so a scope withdrawn since the sign-in is
 * not issued again (issue 12, finding 4).
 */
export function stillAllowedScopes(scopes: readonly string[], clientScopes: readonly string[], apiScopes: readonly string[]): string[] {
  return scopes.filter((scope) => clientScopes.includes(scope) && (apiScopes.includes(scope) || SERVER_SCOPES.includes(scope)));
}
