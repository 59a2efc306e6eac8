import { ApiRequestError, CliError } from './errors.mjs';
import { createTokenCache } from './token-cache.mjs';

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
 * Calls `<url>/api/v1/...` with a client-credentials token for the Management API, reused from
 * the token cache until shortly before it expires (token-cache.mjs).
 * @param {import('./connection.mjs').Connection} connection
 * @param {{ debug?: (line: string) => void, cache?: import('./token-cache.mjs').TokenCache }} [options]
 * @returns {ManagementClient}
 */
export function createManagementClient(connection, { debug = () => {}, cache = createTokenCache(connection, { debug }) } = {}) {
  /** @type {Promise<{ value: string, fresh: boolean }> | undefined} */
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
      throw new CliError(unreachable(connection, error), { cause: error });
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
    const expiresIn = Number(result.body.expires_in);
    if (Number.isInteger(expiresIn) && expiresIn > 0) await cache.write(result.body.access_token, expiresIn);
    return { value: /** @type {string} */ (result.body.access_token), fresh: true };
  }

  async function cachedOrFetchedToken() {
    const cached = await cache.read();
    return cached === undefined ? fetchToken() : { value: cached, fresh: false };
  }

  /**
   * @param {string} method
   * @param {string} path  under /api/v1, e.g. `clients/abc`
   * @param {{ query?: Record<string, string | number | undefined>, body?: unknown }} [options]
   */
  async function call(method, path, { query, body } = {}) {
    const url = new URL(`api/v1/${path}`, connection.baseUrl);
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const attempt = async () => {
      /** @type {Record<string, string>} */
      const headers = { Authorization: `Bearer ${(await (token ??= cachedOrFetchedToken())).value}`, Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      return send(method, url, { headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    };
    let result = await attempt();
    // A cached token the API refuses (revoked, keys reset) or finds short of a scope (granted since it
    // was fetched): once more with a new one. Both are answered before the request is acted on.
    const refused = result.status === 401 || (result.status === 403 && result.body?.error === 'insufficient_scope');
    if (refused && !(await token)?.fresh) {
      debug('the cached token was refused; fetching a new one');
      await cache.drop();
      token = fetchToken();
      result = await attempt();
    }
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

/**
 * Why edge-auth could not be reached, with where the URL came from and what to do: start it
 * locally, or point EDGE_AUTH_URL at it.
 * @param {import('./connection.mjs').Connection} connection
 * @param {unknown} error  from fetch
 */
function unreachable(connection, error) {
  const cause = /** @type {{ cause?: { code?: string, message?: string } }} */ (error).cause;
  const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  const where = `${connection.baseUrl.origin} (${connection.urlSource === 'default' ? 'the default; EDGE_AUTH_URL is not set' : `from ${connection.urlSource}`})`;
  const fix = connection.loopback
    ? 'Start edge-auth with `npm run dev` (it serves EDGE_AUTH_URL, by default http://127.0.0.1:8787), or set EDGE_AUTH_URL to where it runs.'
    : 'Check EDGE_AUTH_URL (or --url): it must be the issuer URL of your deployment.';
  return `Could not reach edge-auth at ${where}: ${reason}. ${fix}`;
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
