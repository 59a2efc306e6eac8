// @ts-check
// What `npm run deploy` refuses before `wrangler deploy`: a configuration that is plainly not ready
// for production, decided offline from wrangler's own reading of wrangler.toml (scripts/deploy.mjs).

/**
 * @typedef {object} Finding
 * @property {'error' | 'warning'} level  an error stops the deploy; a warning is only printed
 * @property {string} problem
 * @property {string} fix  the exact command or edit that fixes it
 */

/**
 * @typedef {object} Route
 * @property {string} pattern
 * @property {boolean} [custom_domain]
 */

/**
 * The parts of wrangler's resolved configuration (`unstable_readConfig`) the checks read.
 * @typedef {object} DeployConfig
 * @property {string | undefined} [name]
 * @property {string | undefined} [targetEnvironment]  the `--env` it was read for
 * @property {Record<string, unknown>} vars
 * @property {{ binding: string, database_name?: string, database_id?: string }[]} d1_databases
 * @property {(string | Route)[] | undefined} [routes]
 * @property {string | Route | undefined} [route]
 * @property {boolean | undefined} [workers_dev]
 * @property {{ name: string }[] | undefined} [ratelimits]
 */

/** Names reserved for documentation and testing (RFC 2606, RFC 6761): never a real issuer. */
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/;
/** What `wrangler d1 create` prints: a UUID. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISSUER_EXAMPLE = 'https://auth.your-domain.com';

/**
 * Everything that makes `config` unready to deploy, errors first.
 * @param {DeployConfig} config
 * @returns {Finding[]}
 */
export function deployFindings(config) {
  const where = `[${section(config, 'vars')}]`;
  const findings = [...issuerFindings(config, where), ...databaseFindings(config), ...devOnlyFindings(config, where), ...registrationFindings(config, where)];
  return [...findings.filter((f) => f.level === 'error'), ...findings.filter((f) => f.level === 'warning')];
}

/**
 * A table of wrangler.toml as the deployed environment reads it: `[env.<name>.vars]` under `--env`.
 * @param {DeployConfig} config
 * @param {string} name
 */
function section(config, name) {
  return config.targetEnvironment ? `env.${config.targetEnvironment}.${name}` : name;
}

/**
 * The issuer is every token's `iss` and the base of every URL apps discover: an https name the
 * worker is served on, chosen once (RFC 8414 section 2).
 * @param {DeployConfig} config
 * @param {string} where
 * @returns {Finding[]}
 */
function issuerFindings(config, where) {
  const raw = config.vars.ISSUER;
  const setIt = `set ISSUER = "${ISSUER_EXAMPLE}" in ${where} of wrangler.toml: the https URL the worker answers on, which every token names as its issuer`;
  const error = (/** @type {string} */ problem, fix = setIt) => [/** @type {Finding} */ ({ level: 'error', problem, fix })];
  if (typeof raw !== 'string' || raw === '') return error(`ISSUER is not set in ${where}.`);
  if (!URL.canParse(raw)) return error(`ISSUER is not an absolute URL: ${JSON.stringify(raw)}.`);
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host.endsWith('.localhost') || /^[\d.]+$/.test(host) || host.includes(':')) {
    return error(`ISSUER is ${raw}, an address on one machine (\`npm run dev\` sets its own), not a name the deployed worker answers on.`);
  }
  if (url.protocol !== 'https:') return error(`ISSUER is ${raw}: a deployed issuer must be https (cookies, tokens and redirects depend on it).`);
  if (url.search || url.hash || url.username || url.password) {
    return error(`ISSUER is ${raw}: an issuer has no query, fragment or credentials.`, `set ISSUER = "${url.origin}${url.pathname.replace(/\/$/, '')}" in ${where}`);
  }
  if (RESERVED_DOMAIN.test(host)) return error(`ISSUER is ${raw}, a placeholder: ${host} is reserved for examples.`);
  return routeFindings(config, url);
}

/**
 * The worker must be reachable at the issuer: on its workers.dev name, or on a route or custom
 * domain for that host. A domain attached in the dashboard does not show in wrangler.toml, so a
 * missing route is only a warning.
 * @param {DeployConfig} config
 * @param {URL} issuer
 * @returns {Finding[]}
 */
function routeFindings(config, issuer) {
  const host = issuer.hostname;
  if (host.endsWith('.workers.dev')) {
    const served = `${config.name}.<your subdomain>.workers.dev`;
    if (config.workers_dev === false) {
      return [{ level: 'error', problem: `ISSUER is on workers.dev, but wrangler.toml turns workers.dev off (workers_dev = false).`, fix: 'remove workers_dev = false from wrangler.toml, or set ISSUER to the custom domain' }];
    }
    if (host.split('.')[0] !== config.name) {
      return [{ level: 'error', problem: `ISSUER is ${issuer.origin}, but this worker is served at ${served}.`, fix: `set ISSUER = "https://${served}" (your account's workers.dev subdomain), or rename the worker` }];
    }
    return [];
  }
  const routes = [...(config.routes ?? []), ...(config.route ? [config.route] : [])];
  const patterns = routes.map((route) => (typeof route === 'string' ? route : route.pattern));
  if (patterns.some((pattern) => pattern.replace(/^https?:\/\//, '').split('/')[0] === host)) return [];
  return [
    {
      level: 'warning',
      problem: `No route in wrangler.toml serves ${host}, the ISSUER's host (fine if you attached the domain in the dashboard).`,
      fix: `add routes = [{ pattern = "${host}", custom_domain = true }] to wrangler.toml`,
    },
  ];
}

/**
 * @param {DeployConfig} config
 * @returns {Finding[]}
 */
function databaseFindings(config) {
  const databases = config.d1_databases ?? [];
  const table = `[[${section(config, 'd1_databases')}]]`;
  if (!databases.some((db) => db.binding === 'DB')) {
    return [{ level: 'error', problem: `wrangler.toml has no ${table} with binding = "DB".`, fix: `npx wrangler d1 create edge-auth, then add its database_id in a ${table} block with binding = "DB"` }];
  }
  return databases
    .filter((db) => !db.database_id || !UUID.test(db.database_id) || /^[0-]+$/.test(db.database_id))
    .map((db) => ({
      level: /** @type {const} */ ('error'),
      problem: `The D1 database ${db.binding} has the placeholder database_id ${JSON.stringify(db.database_id ?? '')}.`,
      fix: `npx wrangler d1 create ${db.database_name ?? 'edge-auth'}, then put the database_id it prints into ${table} (binding = "${db.binding}") in wrangler.toml`,
    }));
}

/**
 * @param {DeployConfig} config
 * @param {string} where
 * @returns {Finding[]}
 */
function devOnlyFindings(config, where) {
  // DEV_LOOPBACK_FETCH would let clients make the worker fetch loopback URLs (src/oauth/outbound-url.ts).
  return ['DEV_HOME_PAGE', 'DEV_MAILBOX', 'DEV_LOOPBACK_FETCH']
    .filter((name) => name in config.vars)
    .map((name) => ({ level: 'error', problem: `${name} is set in ${where}: it is for \`npm run dev\` alone, which sets it itself.`, fix: `remove ${name} from ${where} in wrangler.toml` }));
}

/**
 * Dynamic client registration open to anyone must be rate limited per network: without the
 * binding the worker keeps the endpoint closed, so the deploy would not do what the var says.
 * An initial access token (`token`) is a secret, which wrangler.toml cannot show: not checked.
 * @param {DeployConfig} config
 * @param {string} where
 * @returns {Finding[]}
 */
function registrationFindings(config, where) {
  const policy = config.vars.CLIENT_REGISTRATION ?? 'off';
  if (policy !== 'off' && policy !== 'open' && policy !== 'token') {
    return [{ level: 'error', problem: `CLIENT_REGISTRATION is ${JSON.stringify(policy)} in ${where}; it must be off, open or token.`, fix: `set CLIENT_REGISTRATION = "off" in ${where} of wrangler.toml (or open, or token)` }];
  }
  if (policy !== 'open' || (config.ratelimits ?? []).some((limit) => limit.name === 'REGISTRATION_NETWORK_LIMIT')) return [];
  return [
    {
      level: 'error',
      problem: `CLIENT_REGISTRATION is "open" in ${where}, but wrangler.toml has no rate limit named REGISTRATION_NETWORK_LIMIT: anyone could register clients without limit, so the worker keeps registration closed.`,
      fix: `add [[${section(config, 'ratelimits')}]] with name = "REGISTRATION_NETWORK_LIMIT", namespace_id = "1004", simple = { limit = 5, period = 60 }; or set CLIENT_REGISTRATION = "token" or "off"`,
    },
  ];
}

/**
 * For people: one finding per paragraph, each with its fix.
 * @param {Finding[]} findings
 */
export function formatFindings(findings) {
  return findings.map((f) => `${f.level === 'error' ? 'error' : 'warning'}: ${f.problem}\n  fix: ${f.fix}`).join('\n');
}
