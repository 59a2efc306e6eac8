/**
 * The CLI's errors. Each knows its exit code and one line for people; nothing else reaches stderr
 * unless `--debug` asks for the stack.
 */

/** Wrong command, option or value: exit 2, like every Unix tool's usage error. */
export class UsageError extends Error {
  name = 'UsageError';
  exitCode = 2;
  /** @type {string | undefined} where to read about it, e.g. `clients create --help` */
  helpCommand;
}

/**
 * An unknown command or option. Shown with the usage it missed: the caller that knows which
 * command was meant sets `usage`.
 */
export class UnknownNameError extends UsageError {
  name = 'UnknownNameError';
  /** @type {string | undefined} the usage lines printed under the error */
  usage;
}

/** Something failed while doing what was asked (network, wrangler, a refused request): exit 1. */
export class CliError extends Error {
  name = 'CliError';
  exitCode = 1;
}

/**
 * A 4xx or 5xx from edge-auth, with the body's `error`, `error_description` and `fields`
 * (`{path, message}`) when it sent them.
 */
export class ApiRequestError extends CliError {
  name = 'ApiRequestError';

  /**
   * @param {string} what  the request, e.g. `POST /api/v1/clients`
   * @param {number} status
   * @param {{ error?: unknown, error_description?: unknown, fields?: unknown } | undefined} body
   * @param {string} [hint]  what the operator can do about it
   */
  constructor(what, status, body, hint) {
    const code = typeof body?.error === 'string' ? body.error : undefined;
    const description = typeof body?.error_description === 'string' ? body.error_description : 'no description';
    const fields = Array.isArray(body?.fields) ? body.fields.map(fieldText).filter(Boolean) : [];
    const parts = [`${what} failed (${status}${code ? ` ${code}` : ''}): ${description}`];
    if (fields.length) parts.push(fields.join('; '));
    if (hint) parts.push(hint);
    super(parts.join(' — '));
    this.status = status;
    this.code = code;
  }
}

/** @param {unknown} field */
function fieldText(field) {
  if (typeof field !== 'object' || field === null) return '';
  const { path, message } = /** @type {{ path?: unknown, message?: unknown }} */ (field);
  return `${typeof path === 'string' && path ? path : '(body)'}: ${typeof message === 'string' ? message : 'invalid'}`;
}
