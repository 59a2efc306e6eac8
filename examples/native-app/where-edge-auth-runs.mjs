import { isIP } from 'node:net';

/**
 * Where edge-auth runs: `--issuer`, else EDGE_AUTH_URL (the variable `npm run dev` and
 * `npm run admin` read too), else where `npm run dev` serves by default.
 */
export const DEFAULT_ISSUER = 'http://127.0.0.1:8787';
const PROGRAM = 'node examples/native-app/sign-in.mjs';

/**
 * @param {string | undefined} option  the --issuer value
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ value: string, source: string }}  the URL and what set it, for messages
 */
export function chosenIssuer(option, env) {
  if (option !== undefined) return { value: option, source: '--issuer' };
  const fromEnv = env.EDGE_AUTH_URL?.trim();
  return fromEnv ? { value: fromEnv, source: 'EDGE_AUTH_URL' } : { value: DEFAULT_ISSUER, source: 'the default issuer' };
}

/**
 * This machine: a loopback IP literal, or `localhost` (what `npm run dev` serves for passkeys).
 * Plain http is acceptable only here. The app's own redirect URI stays an IP literal (RFC 8252
 * section 8.3).
 * @param {string} hostname
 */
export function isLoopbackAddress(hostname) {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || (isIP(host) === 6 && host === '::1');
}

/** @param {URL} issuer */
const shown = (issuer) => issuer.href.replace(/\/$/, '');

/**
 * What to do when nothing answers at the issuer: start the server there, or say where it runs.
 * @param {URL} issuer
 */
export function unreachableHint(issuer) {
  const url = shown(issuer);
  if (!isLoopbackAddress(issuer.hostname)) return `Is edge-auth running at ${url}? Check EDGE_AUTH_URL (or --issuer): it must be the issuer URL.`;
  const start = url === DEFAULT_ISSUER ? '`npm run dev`' : `\`EDGE_AUTH_URL=${url} npm run dev\``;
  return `Is edge-auth running at ${url}? Start it with ${start}, or set EDGE_AUTH_URL to where it runs (\`npm run dev\` prints it).`;
}

/**
 * What to do when something answers at the issuer but not as edge-auth: on this machine, most
 * likely another program on that port.
 * @param {URL} issuer
 */
export function notEdgeAuthHint(issuer) {
  const url = shown(issuer);
  if (!isLoopbackAddress(issuer.hostname)) return `Is ${url} an edge-auth issuer? Check EDGE_AUTH_URL (or --issuer).`;
  const free = `http://127.0.0.1:${Number(issuer.port || 80) + 1}`;
  return (
    `Something other than edge-auth answers at ${url}: is another program using port ${issuer.port || 80}? ` +
    `Start edge-auth on another port (\`EDGE_AUTH_URL=${free} npm run dev\`) and run \`EDGE_AUTH_URL=${free} ${PROGRAM}\`.`
  );
}
