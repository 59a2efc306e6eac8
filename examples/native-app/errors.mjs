import { errors as joseErrors } from 'jose';
import * as oauth from 'oauth4webapi';

/**
 * A failed step of the sign-in. `code` is stable and machine-readable: the OAuth `error` the server
 * sent (`invalid_grant`, `access_denied`), the library's own code (`OAUTH_INVALID_RESPONSE`,
 * `ERR_JWT_CLAIM_VALIDATION_FAILED`), the socket error (`ECONNREFUSED`) or `timeout`.
 */
export class SignInError extends Error {
  /**
   * @param {string} step  which step failed: `discovery`, `redirect`, `code_exchange`, ...
   * @param {string} code
   * @param {string} message  for people: what went wrong and, when we know, what to do
   * @param {ErrorOptions} [options]
   */
  constructor(step, code, message, options) {
    super(message, options);
    this.name = 'SignInError';
    this.step = step;
    this.code = code;
  }

  toJSON() {
    return { step: this.step, code: this.code, message: this.message };
  }
}

/** Wrong command-line usage: exit status 2 rather than 1. */
export class UsageError extends Error {
  name = 'UsageError';
}

/**
 * Runs one named step of the flow; whatever it throws becomes a SignInError naming the step.
 * @template T
 * @param {string} name
 * @param {() => T | Promise<T>} run
 * @param {{ unreachable?: string, refused?: (error: string) => string | undefined, otherwise?: string }} [hints]  added
 *   to the message when the server cannot be reached, when it refuses with that OAuth `error`, or
 *   when anything else fails
 * @returns {Promise<T>}
 */
export async function step(name, run, hints = {}) {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SignInError) throw error;
    const { code, detail, network } = explain(error);
    const refused = error instanceof oauth.AuthorizationResponseError || error instanceof oauth.ResponseBodyError;
    const why = network ? hints.unreachable : refused ? hints.refused?.(code) : hints.otherwise;
    const message = `${name.replaceAll('_', ' ')} failed: ${detail}`;
    throw new SignInError(name, code, why ? `${message.replace(/\.$/, '')}. ${why}` : message, { cause: error });
  }
}

/**
 * A readable account of what the libraries, the server or the network reported.
 * @param {unknown} error
 * @returns {{ code: string, detail: string, network?: boolean }}
 */
function explain(error) {
  if (error instanceof oauth.ResponseBodyError) {
    return { code: error.error, detail: `the server answered ${error.status} ${oauthError(error.error, error.error_description)}` };
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return { code: error.error, detail: `the authorization server answered ${oauthError(error.error, error.error_description)}` };
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0];
    const code = challenge?.parameters.error ?? 'www_authenticate';
    return { code, detail: `the server answered ${error.status}, ${challenge?.scheme ?? ''} ${oauthError(code, challenge?.parameters.error_description)}` };
  }
  if (error instanceof oauth.OperationProcessingError) {
    const status = error.cause instanceof Response ? ` (HTTP ${error.cause.status} from ${error.cause.url})` : '';
    return { code: error.code ?? 'OAUTH_OPERATION_FAILED', detail: `${error.message}${status}` };
  }
  if (error instanceof joseErrors.JOSEError) {
    return { code: error.code, detail: error.message };
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    return { code: 'timeout', detail: 'the server did not answer in time', network: true };
  }
  // fetch() reports a refused connection or an unknown host as `TypeError: fetch failed`, the socket error as its cause.
  if (error instanceof TypeError && error.cause instanceof Error) {
    const code = 'code' in error.cause && typeof error.cause.code === 'string' ? error.cause.code : 'network_error';
    return { code, detail: `could not reach the server (${SOCKET_ERRORS[code] ?? error.cause.message.trim()})`, network: true };
  }
  return { code: 'unexpected', detail: error instanceof Error ? error.message : String(error) };
}

/** @type {Record<string, string>} */
const SOCKET_ERRORS = {
  ECONNREFUSED: 'connection refused: nothing listens on that port',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'the connection timed out',
  ERR_SSL_WRONG_VERSION_NUMBER: 'no TLS on that port: is the server plain http?',
};

/**
 * @param {string} error
 * @param {string | undefined} description
 */
function oauthError(error, description) {
  return description ? `${error}: ${description}` : error;
}
