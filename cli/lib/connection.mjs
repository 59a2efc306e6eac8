import { isIP } from 'node:net';
import { UsageError } from './errors.mjs';

/** @param {string} message */
const connectionError = (message) => Object.assign(new UsageError(message), { helpCommand: 'help' });

export const DEFAULT_URL = 'http://127.0.0.1:8787';
/** The dev seed's Management API client (scripts/dev-seed.sql): only ever sent to a loopback address. */
const DEV_ADMIN = { clientId: 'dev-admin', clientSecret: 'dev-admin-secret' };

/**
 * @typedef {object} Connection
 * @property {URL} baseUrl  always ends with `/`, so relative paths resolve under it
 * @property {string} clientId
 * @property {string} clientSecret
 * @property {boolean} loopback
 * @property {'--url' | 'EDGE_AUTH_URL' | 'default'} urlSource  where the URL came from, for error messages
 */

/**
 * A loopback IP literal (127.0.0.0/8, ::1), or `localhost`, which `npm run dev` serves for passkeys
 * (browsers refuse an IP address as the WebAuthn RP ID): only these get defaults or clear text.
 * @param {URL} url
 */
export function isLoopback(url) {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/**
 * Where and as whom to call: options first, then the environment. The dev-admin credentials are a
 * default only for a loopback URL, and a secret is never sent over plain http to anything else.
 * @param {{ url?: unknown, 'client-id'?: unknown, 'client-secret'?: unknown }} options
 * @param {NodeJS.ProcessEnv} env
 * @returns {Connection}
 */
export function resolveConnection(options, env) {
  const fromOption = stringOr(options.url, undefined);
  const fromEnv = stringOr(undefined, env.EDGE_AUTH_URL);
  /** @type {Connection['urlSource']} */
  const urlSource = fromOption ? '--url' : fromEnv ? 'EDGE_AUTH_URL' : 'default';
  const given = fromOption ?? fromEnv ?? DEFAULT_URL;
  // A bad URL is blamed on where it was written.
  const named = urlSource === 'EDGE_AUTH_URL' ? 'EDGE_AUTH_URL' : '--url';
  let baseUrl;
  try {
    baseUrl = new URL(given);
  } catch {
    throw connectionError(`${named} must be an absolute URL such as https://auth.example.com, not ${JSON.stringify(given)}.`);
  }
  if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') throw connectionError(`${named} must be an http or https URL.`);
  if (baseUrl.search || baseUrl.hash || baseUrl.username || baseUrl.password) {
    throw connectionError(`${named} must be the issuer URL alone, without credentials, query or fragment.`);
  }
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  const loopback = isLoopback(baseUrl);
  if (baseUrl.protocol === 'http:' && !loopback) {
    throw connectionError(`Refusing to send credentials over plain http to ${baseUrl.host}: use https (http is for loopback addresses such as 127.0.0.1).`);
  }

  const clientId = stringOr(options['client-id'], env.EDGE_AUTH_CLIENT_ID) ?? (loopback ? DEV_ADMIN.clientId : undefined);
  const clientSecret =
    stringOr(options['client-secret'], env.EDGE_AUTH_CLIENT_SECRET) ?? (loopback && clientId === DEV_ADMIN.clientId ? DEV_ADMIN.clientSecret : undefined);
  if (clientId && !clientSecret) {
    throw connectionError(`No secret for client ${JSON.stringify(clientId)}: set EDGE_AUTH_CLIENT_SECRET (or --client-secret).`);
  }
  if (!clientId || !clientSecret) {
    throw connectionError(
      `No Management API credentials for ${baseUrl.origin}: set EDGE_AUTH_CLIENT_ID and EDGE_AUTH_CLIENT_SECRET ` +
        '(from `npm run admin -- bootstrap`); the dev-admin default applies only to loopback URLs.',
    );
  }
  return { baseUrl, clientId, clientSecret, loopback, urlSource };
}

/**
 * @param {unknown} option
 * @param {string | undefined} fromEnv
 */
function stringOr(option, fromEnv) {
  if (typeof option === 'string' && option !== '') return option;
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}
