import { required, spaceSeparatedList, wholeNumber } from '../lib/argv.mjs';
import { PAGE_OPTIONS } from '../lib/command.mjs';
import { UsageError } from '../lib/errors.mjs';
import { segment } from '../lib/management-client.mjs';
import { printList, printResource } from '../lib/output.mjs';

const SCOPE = /** @type {const} */ ({
  scope: { type: 'string', multiple: true, value: 'SCOPE', help: "scopes of the API it may get (repeatable or space-separated; the API's own)" },
});

/**
 * @param {import('../lib/argv.mjs').OptionValues} values
 * @returns {string[]}
 */
function scopes(values) {
  const list = spaceSeparatedList(values, 'scope');
  if (!list?.length) throw new UsageError('--scope is required: which of the API’s scopes the client may get.');
  return list;
}

/** @type {import('../lib/output.mjs').Column[]} */
const COLUMNS = [
  { header: 'ID', value: (grant) => grant.id },
  { header: 'CLIENT', value: (grant) => grant.client_id },
  { header: 'AUDIENCE', value: (grant) => grant.audience },
  { header: 'SCOPES', value: (grant) => grant.scopes },
];

const NOTE = 'Here --client-id names the granted client; give the admin client id before the command or in EDGE_AUTH_CLIENT_ID.';

/** @type {import('../lib/command.mjs').CommandGroup} */
export const grants = {
  summary: 'client grants: which confidential client may get which scopes of an API (client credentials)',
  commands: {
    list: {
      summary: 'list client grants',
      options: { 'client-id': { type: 'string', value: 'ID', help: 'only this client’s grants' }, ...PAGE_OPTIONS },
      details: NOTE,
      run: async ({ api, values, output }) =>
        printList(
          output,
          await api().get('client-grants', {
            client_id: /** @type {string | undefined} */ (values['client-id']),
            page: wholeNumber(values, 'page'),
            per_page: wholeNumber(values, 'per-page'),
          }),
          COLUMNS,
        ),
    },
    create: {
      summary: 'let a confidential client get tokens for an API',
      options: {
        'client-id': { type: 'string', value: 'ID', help: 'the confidential client' },
        audience: { type: 'string', value: 'API', help: 'the API’s identifier' },
        ...SCOPE,
      },
      details: NOTE,
      examples: ['grants create --client-id <id> --audience https://api.example.com --scope read:items'],
      run: async ({ api, values, output }) => {
        const body = { client_id: required(values, 'client-id'), audience: required(values, 'audience'), scopes: scopes(values) };
        printResource(output, await api().post('client-grants', body));
      },
    },
    update: {
      summary: 'replace a client grant’s scopes',
      args: ['id'],
      options: SCOPE,
      run: async ({ api, args, values, output }) =>
        printResource(output, await api().patch(`client-grants/${segment(args[0] ?? '')}`, { scopes: scopes(values) })),
    },
    delete: {
      summary: 'delete a client grant',
      args: ['id'],
      run: async ({ api, args, output }) => {
        await api().delete(`client-grants/${segment(args[0] ?? '')}`);
        if (output.json) output.printJson({ id: args[0], deleted: true });
        else output.print(`Deleted client grant ${args[0]}.`);
      },
    },
  },
};
