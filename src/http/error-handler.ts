import type { Context, ErrorHandler } from 'hono';
import { correlationId } from '../crypto/random';
import { AppError, type ErrorDetail, type ErrorForm } from '../errors/app-error';
import { OAuthError, serverError } from '../errors/oauth-error';
import { withQuery } from '../oauth/redirect-uri';
import type { AppEnv } from './context';

/** A received value is logged at most this long, a list at most this many: input cannot grow the log. */
const MAX_LOGGED_CHARS = 256;
const MAX_LOGGED_ITEMS = 10;

const bounded = (text: string) => (text.length > MAX_LOGGED_CHARS ? `${text.slice(0, MAX_LOGGED_CHARS)}…(${text.length} chars)` : text);

function boundedDetail(detail: ErrorDetail | undefined): unknown {
  if (detail === undefined || typeof detail === 'string') return detail === undefined ? undefined : bounded(detail);
  const entries = Object.entries(detail).map(([name, value]) => {
    if (typeof value === 'string') return [name, bounded(value)];
    if (Array.isArray(value)) return [name, value.slice(0, MAX_LOGGED_ITEMS).map(bounded)];
    return [name, value];
  });
  return Object.fromEntries(entries);
}

/**
 * One JSON line per error under the id the response carries, so a developer holding the page (or
 * the `X-Request-Id` header) finds what the client was not told: `wrangler dev`'s terminal,
 * `wrangler tail`, Workers Logs.
 */
function logError(c: Context, error: AppError, unhandled: boolean, requestId: string): void {
  const event = unhandled ? 'unhandled_error' : error.status >= 500 ? 'server_error' : 'request_refused';
  const line = JSON.stringify({ event, request_id: requestId, error: error.code, status: error.status, path: c.req.path, detail: boundedDetail(error.detail) });
  if (error.status >= 500) console.error(line);
  else console.warn(line);
}

/**
 * The one error handler, declared per route group with the form its errors take. Errors the app
 * raises render themselves; anything else becomes `server_error`, logged with its class and
 * message only (our errors never put secrets in messages, and a stack helps no client).
 */
export function renderErrors<E extends AppEnv>(form: ErrorForm): ErrorHandler<E> {
  return (thrown, c) => {
    const error = thrown instanceof AppError ? thrown : serverError(thrown);
    const requestId = correlationId();
    logError(c, error, thrown !== error, requestId);
    const redirect = c.var.errorRedirect;
    if (redirect && thrown instanceof OAuthError) {
      // Back to the client, with `iss` (RFC 9207) and the state it sent.
      const location = withQuery(redirect.redirectUri, {
        error: error.code,
        error_description: error.description,
        state: redirect.state,
        iss: c.var.config.issuer,
      });
      c.header('Cache-Control', 'no-store');
      c.header('Referrer-Policy', 'no-referrer');
      c.header('X-Request-Id', requestId);
      return c.redirect(location, 302);
    }
    return error.toResponse(c, form, requestId);
  };
}
