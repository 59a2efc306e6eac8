/**
 * What the protocol needs to know of a client and an API. The stored rows have more; protocol code
 * depends on these shapes only, so it is tested without storage.
 */
export interface ClientPolicy {
  id: string;
  type: 'public' | 'confidential';
  grantTypes: readonly string[];
  /** Scopes the client may ask for, across all APIs, including OpenID Connect scopes. */
  scopes: readonly string[];
  /** API identifiers (`audience` values) the client may get tokens for. */
  audiences: readonly string[];
  requireConsent: boolean;
}

export interface ApiPolicy {
  identifier: string;
  scopes: readonly string[];
}
