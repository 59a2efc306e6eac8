/**
 * What each kind of upstream connection fixes (issue 17): the issuer of the presets, the scopes
 * asked for by default, the response mode, and GitHub's endpoints (plain OAuth 2.0, no discovery).
 */

export type ConnectionType = 'oidc' | 'google' | 'apple' | 'github';
export type ResponseMode = 'query' | 'form_post';

/** Lower-case letters, digits and dashes: used in URLs (`/login/federated/<name>`) and client settings. */
export const CONNECTION_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export const PRESET_ISSUERS: Partial<Record<ConnectionType, string>> = {
  google: 'https://accounts.google.com',
  apple: 'https://appleid.apple.com',
};

export const DEFAULT_SCOPES: Record<ConnectionType, readonly string[]> = {
  oidc: ['openid', 'email', 'profile'],
  google: ['openid', 'email', 'profile'],
  // Apple gives the name and email only when asked, and then only on the first sign-in.
  apple: ['openid', 'email', 'name'],
  github: ['read:user', 'user:email'],
};

/** Apple sends `name` and `email` scopes' answers only with form_post (its documentation). */
export const defaultResponseMode = (type: ConnectionType): ResponseMode => (type === 'apple' ? 'form_post' : 'query');

/** GitHub is an OAuth 2.0 server without OpenID Connect: the user comes from its REST API. */
export const GITHUB = {
  issuer: 'https://github.com',
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  user: 'https://api.github.com/user',
  emails: 'https://api.github.com/user/emails',
} as const;

/** Apple's client secret is a JWT for this audience, signed with the team's key (ES256). */
export const APPLE_AUDIENCE = 'https://appleid.apple.com';
/** Apple allows up to six months; minutes are enough for the one token request it is made for. */
export const APPLE_CLIENT_SECRET_TTL_SECONDS = 300;

/** The upstream's identity as edge-auth keeps it, whatever the kind of connection. */
export interface UpstreamIdentity {
  subject: string;
  email: string | undefined;
  /** True only when the upstream says so (OIDC `email_verified`, GitHub's verified primary email). */
  emailVerified: boolean;
  name: string | undefined;
}

/** Apple sends `email_verified` as a string "true"; others as a boolean. */
export const claimTrue = (value: unknown): boolean => value === true || value === 'true';

/** Apple's name, sent once as the `user` form field on the first sign-in: `{"name":{"firstName","lastName"}}`. */
export function appleUserName(raw: string | undefined): string | undefined {
  if (!raw || raw.length > 1024) return undefined;
  try {
    const parsed = JSON.parse(raw) as { name?: { firstName?: unknown; lastName?: unknown } };
    const parts = [parsed.name?.firstName, parsed.name?.lastName].filter((part): part is string => typeof part === 'string' && part.trim() !== '');
    return parts.length ? parts.join(' ').slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
