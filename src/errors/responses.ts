import type { Context } from 'hono';
import { OAuthError } from './oauth-error';

/** RFC 6749 section 5.1: responses with tokens or errors must not be cached. */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function oauthErrorResponse(c: Context, error: OAuthError): Response {
  return c.json(error.toJSON(), error.status, { ...NO_STORE, ...error.headers });
}

export function serverErrorResponse(c: Context): Response {
  return oauthErrorResponse(c, new OAuthError('server_error', 'The server could not complete the request.'));
}
