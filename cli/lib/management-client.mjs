import { ApiRequestError, CliError } from './errors.mjs';

/** The built-in Management API's audience (migrations/0003_management_api.sql). */
export const MANAGEMENT_AUDIENCE = 'urn:edge-auth:management-api';
const TIMEOUT_MS = 30_000;

/**
 * @typedef {object} ManagementClient
 * @property {(path: string, query?: Record<string, string | number | undefined>) => Promise<any>} get
 * @property {(path: string, body?: unknown) => Promise<any>} post
 * @property {(path: string, body: unknown) => Promise<any>} patch
 * @property {(path: string) => Promise<any>} delete
 */

/**
 * Calls `<url>/api/v1/...` with a client-credentials token for the Management API, fetched once
 * per run and kept in memory only.
 * @param {import('./connection.mjs').Connection} connection
 * @param {{ debug?: (line: string) => void }} [options]
 * @returns {ManagementClient}
 */
export function createManagementClient(connection, { debug = () => {} } = {}) {
  /** @type {Promise<string> | undefined} */
  let token;

  /**
   * @param {string} method
   * @param {URL} url
   * @param {RequestInit} init
   */
  async function send(method, url, init) {
    debug(`> ${method} ${url.href}`);
    let response;
    try {
      response = await fetch(url, { ...init, method, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      const cause = /** @type {{ cause?: { code?: string, message?: string } }} */ (error).cause;
      const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      const hint = connection.loopback ? ' Is the worker running (npm run dev)?' : '';
      throw new CliError(`Could not reach ${url.origin}: ${reason}.${hint}`, { cause: error });
    }
    debug(`< ${response.status} ${method} ${url.pathname}`);
    // Redirects are not followed: credentials go only where --url says.
    if (response.status >= 300 && response.status < 400) {
      throw new CliError(`${url.href} redirects to ${response.headers.get('Location') ?? 'elsewhere'}: give the issuer URL itself as --url.`);
    }
    const text = await response.text();
    let body;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const isJson = text === '' || body !== undefined;
    // A proxy's or platform's error page, not edge-auth's: say so rather than "no description".
    if (!response.ok && !isJson) body = { error_description: 'the response is not JSON (is --url the edge-auth issuer?)' };
    return { status: response.status, ok: response.ok, body, isJson };
  }

  async function fetchToken() {
    const url = new URL('oauth/token', connection.baseUrl);
    // RFC 6749 section 2.3.1: client_secret_basic, each part form-urlencoded before base64.
    const basic = Buffer.from(`${formEncode(connection.clientId)}:${formEncode(connection.clientSecret)}`).toString('base64');
    const result = await send('POST', url, {
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience: MANAGEMENT_AUDIENCE }).toString(),
    });
    if (!result.ok || typeof result.body?.access_token !== 'string') {
      const hint =
        result.body?.error === 'invalid_client'
          ? `check the credentials of client ${JSON.stringify(connection.clientId)}`
          : result.body?.error === 'unauthorized_client'
            ? 'the client needs a client grant for the Management API (see bootstrap)'
            : undefined;
      throw new ApiRequestError(`Getting a Management API token from ${url.href}`, result.status, result.body, hint);
    }
    return /** @type {string} */ (result.body.access_token);
  }

  /**
   * @param {string} method
   * @param {string} path  under /api/v1, e.g. `clients/abc`
   * @param {{ query?: Record<string, string | number | undefined>, body?: unknown }} [options]
   */
  async function call(method, path, { query, body } = {}) {
    token ??= fetchToken();
    const url = new URL(`api/v1/${path}`, connection.baseUrl);
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    /** @type {Record<string, string>} */
    const headers = { Authorization: `Bearer ${await token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const result = await send(method, url, { headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    if (!result.ok) throw new ApiRequestError(`${method} /api/v1/${path.split('?')[0]}`, result.status, result.body);
    if (!result.isJson) throw new CliError(`${method} ${url.pathname} answered ${result.status} with a body that is not JSON.`);
    return result.body ?? null;
  }

  return {
    get: (path, query) => call('GET', path, { query }),
    post: (path, body) => call('POST', path, { body }),
    patch: (path, body) => call('PATCH', path, { body }),
    delete: (path) => call('DELETE', path),
  };
}

/** @param {string} value */
function formEncode(value) {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * A path segment for an id given on the command line.
 * @param {string} id
 */
export function segment(id) {
  return encodeURIComponent(id);
}
