// @ts-check
// Where `npm run dev` serves, from EDGE_AUTH_URL (the one variable naming where edge-auth runs, also
// read by `npm run admin` and examples/native-app) or PORT.

/** Where edge-auth runs unless EDGE_AUTH_URL says otherwise. */
export const DEFAULT_EDGE_AUTH_URL = 'http://127.0.0.1:8787';

/** EDGE_AUTH_URL or PORT cannot be served by `npm run dev`; the message says what to set instead. */
export class DevAddressError extends Error {
  /** @override */
  name = 'DevAddressError';
}

/**
 * @typedef {object} DevAddress
 * @property {string} url  the issuer: `http://<loopback IP>:<port>`, no trailing slash
 * @property {string} ip  for `wrangler dev --ip` (an IPv6 literal without brackets)
 * @property {number} port
 */

/**
 * EDGE_AUTH_URL, else `http://127.0.0.1:$PORT`, else the default. Only plain http on a loopback IP
 * literal, or `localhost` (served on 127.0.0.1): passkeys need a host name, since browsers refuse
 * an IP address as the WebAuthn RP ID. The tools send credentials in clear only to these.
 * @param {Record<string, string | undefined>} env
 * @returns {DevAddress}
 */
export function devAddress(env) {
  const fromUrl = nonEmpty(env.EDGE_AUTH_URL);
  const fromPort = nonEmpty(env.PORT);
  if (fromPort !== undefined && !isPortNumber(fromPort)) {
    throw new DevAddressError(`PORT must be a TCP port number from 1 to 65535, not ${JSON.stringify(fromPort)}.`);
  }
  if (fromUrl === undefined) {
    return parseDevUrl(fromPort === undefined ? DEFAULT_EDGE_AUTH_URL : `http://127.0.0.1:${fromPort}`);
  }
  const address = parseDevUrl(fromUrl);
  if (fromPort !== undefined && Number(fromPort) !== address.port) {
    throw new DevAddressError(`EDGE_AUTH_URL (${address.url}) and PORT (${fromPort}) disagree: set only one of them.`);
  }
  return address;
}

/**
 * @param {string} raw
 * @returns {DevAddress}
 */
function parseDevUrl(raw) {
  if (!URL.canParse(raw)) throw new DevAddressError(`EDGE_AUTH_URL must be a URL such as http://127.0.0.1:8788, not ${JSON.stringify(raw)}.`);
  const url = new URL(raw);
  if (url.protocol !== 'http:') {
    throw new DevAddressError(`npm run dev serves plain http on this machine; EDGE_AUTH_URL=${raw} cannot be served (for example EDGE_AUTH_URL=http://127.0.0.1:8788 npm run dev).`);
  }
  const ip = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!isLoopbackIp(ip)) {
    throw new DevAddressError(`EDGE_AUTH_URL must be a loopback address such as http://127.0.0.1:8788 or http://localhost:8788, not ${raw}: npm run dev listens only on this machine.`);
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new DevAddressError(`EDGE_AUTH_URL must be the server's origin alone, such as ${url.origin}, not ${raw}.`);
  }
  const port = url.port === '' ? 80 : Number(url.port);
  if (port === 0) throw new DevAddressError(`EDGE_AUTH_URL needs a real port, such as http://127.0.0.1:8788: the issuer must be known before the server starts.`);
  return { url: url.origin, ip, port };
}

/**
 * `EDGE_AUTH_URL=<url> ` for a command run against `url`, or nothing when it is the default.
 * @param {string} url
 */
export function edgeAuthUrlPrefix(url) {
  return url === DEFAULT_EDGE_AUTH_URL ? '' : `EDGE_AUTH_URL=${url} `;
}

/**
 * The dev scripts' address, or the reason on stderr and `code` as the exit status: a wrong
 * EDGE_AUTH_URL or PORT is the person's to fix, never a stack trace.
 * @param {Record<string, string | undefined>} env
 * @param {string} prefix  put before the message
 * @param {number} code
 * @returns {DevAddress}
 */
export function devAddressOrExit(env, prefix = '', code = 1) {
  try {
    return devAddress(env);
  } catch (error) {
    if (!(error instanceof DevAddressError)) throw error;
    console.error(`${prefix}${error.message}`);
    process.exit(code);
  }
}

/** @param {string} host  an IP literal without brackets */
function isLoopbackIp(host) {
  return /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host) || host === '::1';
}

/** @param {string} value */
function isPortNumber(value) {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535;
}

/** @param {string | undefined} value */
function nonEmpty(value) {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
