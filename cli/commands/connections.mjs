import { readFileSync } from 'node:fs';
import { changes, oneOf, required, spaceSeparatedList, valueOrNone, wholeNumber } from '../lib/argv.mjs';
import { PAGE_OPTIONS } from '../lib/command.mjs';
import { UsageError } from '../lib/errors.mjs';
import { segment } from '../lib/management-client.mjs';
import { printList, printResource } from '../lib/output.mjs';
import { readPassword } from '../lib/secret-input.mjs';

const SETTINGS = /** @type {const} */ ({
  'display-name': { type: 'string', value: 'NAME', help: 'what its button says after "Continue with" (generic OpenID Connect)' },
  issuer: { type: 'string', value: 'URL', help: 'the OpenID provider\'s issuer (generic OpenID Connect only); its discovery document is read from there' },
  'client-id': { type: 'string', value: 'ID', help: 'edge-auth\'s client id at the upstream (for Apple: the Services ID)' },
  'client-secret': { type: 'string', value: 'SECRET', help: 'the client secret (visible in `ps` and shell history: prefer --client-secret-stdin)' },
  'client-secret-stdin': { type: 'boolean', help: 'read the client secret from standard input; stored sealed, never shown again' },
  'client-secret-ref': { type: 'string', value: 'NAME', help: 'or: the name of a wrangler secret holding it (`npx wrangler secret put NAME`), or `none`' },
  'apple-team-id': { type: 'string', value: 'ID', help: 'Apple: the 10-character team id' },
  'apple-key-id': { type: 'string', value: 'ID', help: 'Apple: the 10-character id of the Sign in with Apple key' },
  'apple-private-key-file': { type: 'string', value: 'FILE', help: 'Apple: the .p8 file of that key; stored sealed, never shown again' },
  scope: { type: 'string', multiple: true, value: 'SCOPE', help: 'scopes asked of the upstream (default: by type, e.g. openid email profile)' },
  'response-mode': { type: 'string', value: 'MODE', help: 'query (default) or form_post (Apple\'s default)' },
});

/**
 * The Management API body for the settings given on the command line.
 * @param {import('../lib/argv.mjs').OptionValues} values
 */
async function settings(values) {
  const secret = values['client-secret-stdin'] === true || values['client-secret'] !== undefined
    ? await readPassword({ password: values['client-secret'], 'password-stdin': values['client-secret-stdin'] })
    : undefined;
  const keyFile = values['apple-private-key-file'];
  return {
    display_name: values['display-name'],
    issuer: values.issuer,
    client_id: values['client-id'],
    client_secret: secret,
    client_secret_ref: valueOrNone(values, 'client-secret-ref'),
    apple_team_id: values['apple-team-id'],
    apple_key_id: values['apple-key-id'],
    apple_private_key: typeof keyFile === 'string' ? readKey(keyFile) : undefined,
    scopes: spaceSeparatedList(values, 'scope'),
    response_mode: values['response-mode'],
  };
}

/** @param {string} path */
function readKey(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--apple-private-key-file ${path}: ${error instanceof Error ? error.message : 'cannot be read'}.`);
  }
}

/** @type {import('../lib/output.mjs').Column[]} */
const COLUMNS = [
  { header: 'ID', value: (connection) => connection.id },
  { header: 'NAME', value: (connection) => connection.name },
  { header: 'TYPE', value: (connection) => connection.type },
  { header: 'ISSUER', value: (connection) => connection.issuer },
  { header: 'CLIENT ID', value: (connection) => connection.client_id },
];

/** @type {import('../lib/command.mjs').CommandGroup} */
export const connections = {
  summary: 'upstream identity providers people sign in with: any OpenID provider, Google, Apple, GitHub',
  commands: {
    list: {
      summary: 'list connections',
      options: PAGE_OPTIONS,
      run: async ({ api, values, output }) =>
        printList(output, await api().get('connections', { page: wholeNumber(values, 'page'), per_page: wholeNumber(values, 'per-page') }), COLUMNS),
    },
    get: {
      summary: 'show a connection (never its secret)',
      args: ['id'],
      run: async ({ api, args, output }) => printResource(output, await api().get(`connections/${segment(args[0] ?? '')}`)),
    },
    create: {
      summary: 'add a connection; register its callback_url at the upstream, then list it in a client\'s --connection',
      options: {
        name: { type: 'string', value: 'NAME', help: 'its name in URLs and client settings: lower-case letters, digits, dashes' },
        type: { type: 'string', value: 'TYPE', help: 'oidc (any OpenID provider), google, apple or github' },
        ...SETTINGS,
      },
      examples: [
        "printf %s \"$SECRET\" | npm run admin -- connections create --name corp --type oidc --issuer https://id.example.com --display-name 'Example Corp' --client-id edge-auth --client-secret-stdin",
        'printf %s "$GOOGLE_SECRET" | npm run admin -- connections create --name google --type google --client-id 123.apps.googleusercontent.com --client-secret-stdin',
        'connections create --name apple --type apple --client-id com.example.signin --apple-team-id ABCDE12345 --apple-key-id KEY1234567 --apple-private-key-file AuthKey_KEY1234567.p8',
        'connections create --name github --type github --client-id Iv1.abc --client-secret-ref GITHUB_CLIENT_SECRET',
      ],
      run: async ({ api, values, output }) => {
        required(values, 'name');
        required(values, 'type');
        required(values, 'client-id');
        const body = { ...(await settings(values)), name: values.name, type: oneOf(values, 'type', ['oidc', 'google', 'apple', 'github']) };
        printResource(output, await api().post('connections', changes(body, 'connections create')));
      },
    },
    update: {
      summary: 'change a connection; a new secret replaces the old one',
      args: ['id'],
      options: SETTINGS,
      examples: ['printf %s "$NEW_SECRET" | npm run admin -- connections update <id> --client-secret-stdin'],
      run: async ({ api, args, values, output }) =>
        printResource(output, await api().patch(`connections/${segment(args[0] ?? '')}`, changes(await settings(values), 'connections update'))),
    },
    delete: {
      summary: 'delete a connection and unlink every identity of it',
      args: ['id'],
      run: async ({ api, args, output }) => {
        await api().delete(`connections/${segment(args[0] ?? '')}`);
        if (output.json) output.printJson({ id: args[0], deleted: true });
        else output.print(`Deleted connection ${args[0]}.`);
      },
    },
  },
};
