import { messagesFor } from '../i18n/messages';
import { AppError, type AppErrorOptions, type PageWords } from './app-error';
import { errorKind } from './error-kind';

/**
 * Error codes of RFC 6749 sections 4.1.2.1 and 5.2, OpenID Connect Core 3.1.2.6, RFC 9101 section 7, and RFC 6750
 * section 3.1 for protected resources such as /userinfo, RFC 9449 sections 5 and 8 for DPoP, RFC 8707
 * section 2 for resource indicators, RFC 9470 for step-up authentication, and RFC 7591 section
 * 3.2.2 for client registration.
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
  | 'interaction_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'invalid_request_uri'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'insufficient_user_authentication'
  | 'invalid_target'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  // RFC 7591 section 3.2.2: dynamic client registration.
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata';

/** An error of the OAuth protocol, in its own vocabulary. */
export class OAuthError extends AppError {
  override readonly name = 'OAuthError';

  constructor(
    readonly code: OAuthErrorCode,
    description: string,
    options: AppErrorOptions = {},
  ) {
    super(description, { ...options, status: options.status ?? (code === 'invalid_client' ? 401 : code === 'server_error' ? 500 : 400) });
  }
}

export const invalidRequest = (description: string, options?: AppErrorOptions) => new OAuthError('invalid_request', description, options);
export const invalidGrant = (description: string, options?: AppErrorOptions) => new OAuthError('invalid_grant', description, options);
export const invalidScope = (description: string, options?: AppErrorOptions) => new OAuthError('invalid_scope', description, options);

/** A request a person sees refused on a page (an expired form, a foreign origin): never redirected to an app. */
export const pageRefusal = (title: string, description: string, status: AppErrorOptions['status'] = 400) =>
  new OAuthError('invalid_request', description, { title, status });

/** The same, in the person's language: the catalogue's English is what the log and any JSON answer say. */
export function localizedPageRefusal(words: PageWords, status: AppErrorOptions['status'] = 400): OAuthError {
  return localizedError('invalid_request', words, { status });
}

/** Any error whose page a person reads: worded by the catalogue, English for the log and for apps. */
export function localizedError(code: OAuthErrorCode, words: PageWords, options: Omit<AppErrorOptions, 'title' | 'words'> = {}): OAuthError {
  const english = messagesFor('en');
  return new OAuthError(code, english[words.description], { ...options, title: english[words.title], words });
}

/** The page of a failure on our side. */
export const SERVER_FAILED: PageWords = { title: 'somethingWentWrong', description: 'serverCouldNotComplete' };

/** What any unexpected failure becomes: the client learns nothing of it, the log learns its class and message. */
export function serverError(cause: unknown): OAuthError {
  const detail = cause instanceof Error ? `${errorKind(cause)}: ${cause.message}` : errorKind(cause);
  return localizedError('server_error', SERVER_FAILED, { detail });
}
