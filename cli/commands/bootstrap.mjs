import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { DEFAULT_URL, isLoopback } from '../lib/connection.mjs';
import { CliError, UsageError } from '../lib/errors.mjs';
import { MANAGEMENT_AUDIENCE } from '../lib/management-client.mjs';
import { shellWord, sqlString } from '../lib/quote.mjs';
import { d1Results, runWrangler, WRANGLER, WRANGLER_ENV } from '../lib/wrangler.mjs';

const DEFAULT_NAME = 'edge-auth admin';

/**
 * A new Management API client: a random id and a 256-bit secret, of which only
 * base64url(SHA-256(secret)) is stored, as the token endpoint compares it (src/crypto/hash.ts).
 */
export function newAdminCredentials() {
  const clientSecret = randomBytes(32).toString('base64url');
  return {
    clientId: `admin_${randomBytes(16).toString('base64url')}`,
    clientSecret,
    secretHash: createHash('sha256').update(clientSecret).digest('base64url'),
    grantId: `cg_${randomBytes(16).toString('base64url')}`,
  };
}

/**
 * The client, its grant of every Management API scope (copied from the API's row, so the grant
 * matches whatever the migrations defined), and a count that proves both were written. Both
 * inserts depend on the Management API's row: without the migrations nothing is written.
 * @param {{ clientId: string, secretHash: string, grantId: string, name: string }} admin
 */
export function bootstrapSql({ clientId, secretHash, grantId, name }) {
  const id = sqlString(clientId);
  const audience = sqlString(MANAGEMENT_AUDIENCE);
  return [
    'INSERT INTO clients (id, name, type, secret_hash, redirect_uris, post_logout_redirect_uris, grant_types, scopes, audiences)',
    `SELECT ${id}, ${sqlString(name)}, 'confidential', ${sqlString(secretHash)}, '[]', '[]', '["client_credentials"]', '[]', '[]'`,
    `WHERE EXISTS (SELECT 1 FROM apis WHERE identifier = ${audience});`,
    'INSERT INTO client_grants (id, client_id, audience, scopes)',
    `SELECT ${sqlString(grantId)}, ${id}, identifier, scopes FROM apis WHERE identifier = ${audience};`,
    `SELECT count(*) AS granted FROM client_grants WHERE client_id = ${id};`,
  ].join('\n');
}

/**
 * @param {import('../lib/argv.mjs').OptionValues} values
 * @param {string} sql
 * @returns {string[]}
 */
function wranglerArgs(values, sql) {
  if (values.local === values.remote) throw new UsageError('bootstrap needs exactly one of --local (the dev D1) or --remote (the deployed D1).');
  const persistTo = values['persist-to'];
  if (persistTo !== undefined && !values.local) throw new UsageError('--persist-to is for --local only.');
  return [
    'd1',
    'execute',
    'DB',
    values.local ? '--local' : '--remote',
    ...(typeof persistTo === 'string' ? ['--persist-to', resolve(persistTo)] : []),
    '--json',
    '--command',
    sql,
  ];
}

/**
 * Where `npm run dev` serves the local D1: EDGE_AUTH_URL when that is a loopback URL.
 * @param {NodeJS.ProcessEnv} env
 */
function localUrl(env) {
  const url = URL.parse(env.EDGE_AUTH_URL ?? '');
  return url && isLoopback(url) ? url.origin : DEFAULT_URL;
}

/**
 * @param {string} where
 * @param {ReturnType<typeof newAdminCredentials>} admin
 * @param {boolean} remote
 * @param {NodeJS.ProcessEnv} env
 */
function usage(where, admin, remote, env) {
  const url = remote ? 'https://auth.example.com   # your ISSUER' : shellWord(localUrl(env));
  return [
    `Created the Management API client in the ${where} D1, with every Management API scope.`,
    '',
    '! Save the secret now: it is shown only this once, and edge-auth keeps only its SHA-256 hash.',
    '  Keep it in a password manager or your CI secrets, never in a file in the repository.',
    '',
    `  export EDGE_AUTH_URL=${url}`,
    `  export EDGE_AUTH_CLIENT_ID=${admin.clientId}`,
    `  export EDGE_AUTH_CLIENT_SECRET=${admin.clientSecret}`,
    '  npm run admin -- clients list',
  ].join('\n');
}

/**
 * The advice when D1 has no tables, or no Management API: the same database, migrated.
 * @param {string[]} args  wrangler's arguments
 */
function migrateFirst(args) {
  const target = args.slice(3, args.indexOf('--json')).map(shellWord).join(' ');
  return `apply the migrations first: npx wrangler d1 migrations apply DB ${target}`;
}

/**
 * The command as one paste into sh: the SQL in a quoted here-document, so it reads as SQL and
 * nothing in it is expanded.
 * @param {string[]} args  wrangler's arguments, the SQL last
 */
function shellCommand(args) {
  const sql = /** @type {string} */ (args.at(-1));
  const env = Object.entries(WRANGLER_ENV).map(([key, value]) => `${key}=${value}`);
  return [`SQL=$(cat <<'SQL_END'`, sql, 'SQL_END', ')', [...env, WRANGLER, ...args.slice(0, -1)].map(shellWord).join(' ') + ' "$SQL"'].join('\n');
}

/** @type {import('../lib/command.mjs').Command} */
export const bootstrap = {
  summary: 'one-time: create the first Management API client directly in D1',
  options: {
    local: { type: 'boolean', help: 'the local dev D1 (.wrangler/state, as `npm run dev` uses)' },
    remote: { type: 'boolean', help: "the deployed worker's D1 (needs `wrangler login` or CLOUDFLARE_API_TOKEN)" },
    name: { type: 'string', value: 'NAME', help: `the client's name (default "${DEFAULT_NAME}")` },
    'persist-to': { type: 'string', value: 'DIR', help: 'with --local: the local state directory, passed to wrangler' },
    'dry-run': { type: 'boolean', help: 'print the wrangler command and run nothing (no credentials are kept)' },
  },
  details:
    'Runs `wrangler d1 execute DB --local|--remote` with a random client id and a 256-bit secret, of which D1 ' +
    'stores only the SHA-256. Needs no running worker; the migrations must have been applied.',
  examples: ['bootstrap --local', "bootstrap --remote --name 'ops laptop'", 'bootstrap --remote --dry-run'],
  run: async ({ values, output, env }) => {
    const name = typeof values.name === 'string' ? values.name.trim() : DEFAULT_NAME;
    if (name === '' || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) throw new UsageError('--name must be 1 to 100 printable characters.');
    const admin = newAdminCredentials();
    const sql = bootstrapSql({ ...admin, name });
    const args = wranglerArgs(values, sql);

    if (values['dry-run']) {
      const command = shellCommand(args);
      if (output.json) output.printJson({ dry_run: true, client_id: admin.clientId, env: WRANGLER_ENV, command: [WRANGLER, ...args], sql });
      else output.print(`Dry run: nothing was executed and these credentials are discarded. From the project root bootstrap would run:\n\n${command}`);
      return;
    }

    const results = d1Results(
      await runWrangler(args).catch((error) => {
        if (error instanceof CliError && /no such table/.test(error.message)) throw new CliError(`${error.message} — ${migrateFirst(args)}`, { cause: error });
        throw error;
      }),
    );
    const granted = Number(results.at(-1)?.results?.[0]?.granted ?? 0);
    if (granted !== 1) {
      throw new CliError(`The Management API (${MANAGEMENT_AUDIENCE}) is not in this D1, so nothing was created: ${migrateFirst(args)}.`);
    }
    const where = values.local ? 'local' : 'remote';
    if (output.json) {
      output.printJson({ client_id: admin.clientId, client_secret: admin.clientSecret, name, database: where });
      output.notice('warning: Save the client secret now: it is shown only once, and edge-auth keeps only its SHA-256 hash.');
    } else {
      output.print(usage(where, admin, Boolean(values.remote), env));
    }
  },
};
