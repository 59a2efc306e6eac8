import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Error codes of RFC 6749 sections 4.1.2.1 and 5.2, and OpenID Connect Core 3.1.2.6.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'login_required'
  | 'consent_required'
  /** RFC 6750 section 3.1, for protected resources such as /userinfo. */
  | 'invalid_token'
  | 'insufficient_scope';

export interface OAuthErrorOptions {
  status?: ContentfulStatusCode;
  /** Logged, never sent: what a maintainer needs to know that the client must not. */
  detail?: string;
  headers?: Record<string, string>;
}

/** An error the client is meant to see. Its `description` is public text; `detail` stays in the logs. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly status: ContentfulStatusCode;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(`${code}: ${description}`);
    this.status = options.status ?? (code === 'invalid_client' ? 401 : code === 'server_error' ? 500 : 400);
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }

  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

export const invalidRequest = (description: string, options?: OAuthErrorOptions) =>
  new OAuthError('invalid_request', description, options);
export const invalidGrant = (description: string, options?: OAuthErrorOptions) =>
  new OAuthError('invalid_grant', description, options);
export const invalidScope = (description: string, options?: OAuthErrorOptions) =>
  new OAuthError('invalid_scope', description, options);

/**
 * The authorization endpoint must not redirect until client and redirect URI are trusted
 * (RFC 6749 section 4.1.2.1): such errors become an error page instead.
 */
export class UntrustedRedirectError extends Error {
  override readonly name = 'UntrustedRedirectError';
  constructor(readonly description: string) {
    super(description);
  }
}

/** A login or consent page problem shown to the person, not to a client. */
export class PageError extends Error {
  override readonly name = 'PageError';
  constructor(
    readonly title: string,
    readonly description: string,
    readonly status: ContentfulStatusCode = 400,
  ) {
    super(description);
  }
}
