import type { ErrorHandler } from 'hono';
import { AppError, type ErrorForm } from '../errors/app-error';
import { OAuthError, serverError } from '../errors/oauth-error';
import { withQuery } from '../oauth/redirect-uri';
import type { AppEnv } from './context';

/**
 * The one error handler, declared per route group with the form its errors take. Errors the app
 * raises render themselves; anything else becomes `server_error`, logged with its class and
 * message only (our errors never put secrets in messages, and a stack helps no client).
 */
export function renderErrors<E extends AppEnv>(form: ErrorForm): ErrorHandler<E> {
  return (thrown, c) => {
    const error = thrown instanceof AppError ? thrown : serverError(thrown);
    if (error.detail) {
      const event = thrown !== error ? 'unhandled_error' : error.status >= 500 ? 'server_error' : 'request_refused';
      console.warn(JSON.stringify({ event, error: error.code, detail: error.detail, path: c.req.path }));
    }
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
      return c.redirect(location, 302);
    }
    return error.toResponse(c, form);
  };
}
