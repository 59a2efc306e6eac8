import { changes, oneOf, required, secondsOrDefault, spaceSeparatedList, wholeNumber } from '../lib/argv.mjs';
import { PAGE_OPTIONS } from '../lib/command.mjs';
import { CliError } from '../lib/errors.mjs';
import { segment } from '../lib/management-client.mjs';
import { printList, printResource } from '../lib/output.mjs';

const SIGNING_ALGS = /** @type {const} */ (['ES256', 'RS256']);

const SETTINGS = /** @type {const} */ ({
  name: { type: 'string', value: 'NAME', help: 'display name' },
  scope: { type: 'string', multiple: true, value: 'SCOPE', help: 'scopes the API defines (repeatable or space-separated; replaces the list on update)' },
  'scope-description': {
    type: 'string',
    multiple: true,
    value: 'SCOPE=TEXT',
    help: 'what a scope lets an app do, shown on the consent page (repeatable; replaces them all on update)',
  },
  'signing-alg': { type: 'string', value: 'ALG', help: 'ES256 (default) or RS256, for APIs that cannot verify ES256' },
  'access-token-ttl': { type: 'string', value: 'SECONDS', help: "access tokens' lifetime, 60 to 86400, or `default`" },
});

/**
 * `--scope-description read:items='See your items'`, repeatable, as the API's map.
 * @param {import('../lib/argv.mjs').OptionValues} values
 * @returns {Record<string, string> | undefined}
 */
function scopeDescriptions(values) {
  const given = /** @type {string[] | undefined} */ (values['scope-description']);
  if (given === undefined) return undefined;
  const entries = given.map((entry) => {
    const at = entry.indexOf('=');
    if (at < 1) throw new CliError(`--scope-description takes SCOPE=TEXT, not ${JSON.stringify(entry)}`);
    return [entry.slice(0, at), entry.slice(at + 1)];
  });
  return Object.fromEntries(entries);
}

/** @param {import('../lib/argv.mjs').OptionValues} values */
function settings(values) {
  return {
    name: values.name,
    scopes: spaceSeparatedList(values, 'scope'),
    scope_descriptions: scopeDescriptions(values),
    signing_alg: oneOf(values, 'signing-alg', SIGNING_ALGS),
    access_token_ttl_seconds: secondsOrDefault(values, 'access-token-ttl'),
  };
}

/**
 * The API's id, given its id or its identifier: identifiers are absolute URIs, so they have a
 * `:` and ids never do.
 * @param {import('../lib/management-client.mjs').ManagementClient} api
 * @param {string} idOrIdentifier
 * @returns {Promise<string>}
 */
async function apiId(api, idOrIdentifier) {
  if (!idOrIdentifier.includes(':')) return idOrIdentifier;
  for (let page = 0; ; page += 1) {
    const { items, total } = await api.get('apis', { page, per_page: 100 });
    const found = items.find((/** @type {{ identifier: string }} */ item) => item.identifier === idOrIdentifier);
    if (found) return found.id;
    if (items.length === 0 || (page + 1) * 100 >= total) throw new CliError(`No API has the identifier ${idOrIdentifier}.`);
  }
}

/** @type {import('../lib/output.mjs').Column[]} */
const COLUMNS = [
  { header: 'ID', value: (item) => item.id },
  { header: 'IDENTIFIER', value: (item) => item.identifier },
  { header: 'NAME', value: (item) => item.name },
  { header: 'ALG', value: (item) => item.signing_alg },
  { header: 'TTL', value: (item) => item.access_token_ttl_seconds },
  { header: 'SCOPES', value: (item) => item.scopes },
];

/** @type {import('../lib/command.mjs').CommandGroup} */
export const apis = {
  summary: 'APIs (resource servers): the audiences of access tokens, with their scopes',
  commands: {
    list: {
      summary: 'list APIs',
      options: PAGE_OPTIONS,
      run: async ({ api, values, output }) =>
        printList(output, await api().get('apis', { page: wholeNumber(values, 'page'), per_page: wholeNumber(values, 'per-page') }), COLUMNS),
    },
    get: {
      summary: 'show an API, by id or identifier',
      args: ['id-or-identifier'],
      run: async ({ api, args, output }) => printResource(output, await api().get(`apis/${segment(await apiId(api(), args[0] ?? ''))}`)),
    },
    create: {
      summary: 'register an API',
      options: { identifier: { type: 'string', value: 'URI', help: 'the audience value: an absolute URI, e.g. https://api.example.com' }, ...SETTINGS },
      examples: ["apis create --identifier https://api.example.com --name 'Example API' --scope 'read:items write:items'"],
      run: async ({ api, values, output }) => {
        required(values, 'identifier');
        required(values, 'name');
        printResource(output, await api().post('apis', changes({ identifier: values.identifier, ...settings(values) }, 'apis create')));
      },
    },
    update: {
      summary: 'change an API, by id or identifier (its identifier cannot change)',
      args: ['id-or-identifier'],
      options: SETTINGS,
      run: async ({ api, args, values, output }) => {
        const body = changes(settings(values), 'apis update');
        printResource(output, await api().patch(`apis/${segment(await apiId(api(), args[0] ?? ''))}`, body));
      },
    },
    delete: {
      summary: 'delete an API and the client grants for it',
      args: ['id-or-identifier'],
      run: async ({ api, args, output }) => {
        const id = await apiId(api(), args[0] ?? '');
        await api().delete(`apis/${segment(id)}`);
        if (output.json) output.printJson({ id, deleted: true });
        else output.print(`Deleted API ${args[0]}.`);
      },
    },
  },
};
