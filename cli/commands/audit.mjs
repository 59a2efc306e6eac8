import { wholeNumber } from '../lib/argv.mjs';
import { PAGE_OPTIONS } from '../lib/command.mjs';
import { UsageError } from '../lib/errors.mjs';
import { printList } from '../lib/output.mjs';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since 2h` means two hours ago; anything else is passed on as an ISO 8601 date-time.
 * @param {import('../lib/argv.mjs').OptionValues} values
 * @param {string} name
 * @param {number} now
 */
export function timeOption(values, name, now) {
  const given = values[name];
  if (typeof given !== 'string') return undefined;
  const relative = /^(\d{1,9})([smhd])$/.exec(given);
  if (relative) return new Date(now - Number(relative[1]) * UNIT_MS[/** @type {keyof typeof UNIT_MS} */ (relative[2])]).toISOString();
  if (Number.isNaN(Date.parse(given))) throw new UsageError(`--${name} must be an ISO 8601 date-time or an age such as 30m, 2h, 7d.`);
  return given;
}

/** @type {import('../lib/output.mjs').Column[]} */
const COLUMNS = [
  { header: 'AT', value: (event) => event.at },
  { header: 'EVENT', value: (event) => event.event },
  { header: 'ACTOR', value: (event) => event.actor },
  { header: 'CLIENT', value: (event) => event.client_id },
  { header: 'USER', value: (event) => event.user_id },
  { header: 'DETAIL', value: (event) => event.detail },
];

/** @type {import('../lib/command.mjs').CommandGroup} */
export const audit = {
  summary: 'the audit log: sign-ins, tokens, revocations, management changes (newest first)',
  commands: {
    list: {
      summary: 'list audit events',
      options: {
        event: { type: 'string', value: 'NAME', help: 'e.g. login_failed, management_change, keys_rotated, client_credentials_issued' },
        'client-id': { type: 'string', value: 'ID', help: 'only events of this client' },
        'user-id': { type: 'string', value: 'ID', help: 'only events of this user' },
        since: { type: 'string', value: 'TIME', help: 'from this ISO 8601 time, or an age: 30m, 2h, 7d' },
        until: { type: 'string', value: 'TIME', help: 'before this time' },
        ...PAGE_OPTIONS,
      },
      details: 'Here --client-id filters events; give the admin client id before the command or in EDGE_AUTH_CLIENT_ID.',
      examples: ['audit list --since 1h', 'audit list --event management_change --json'],
      run: async ({ api, values, output }) => {
        const now = Date.now();
        const query = {
          event: /** @type {string | undefined} */ (values.event),
          client_id: /** @type {string | undefined} */ (values['client-id']),
          user_id: /** @type {string | undefined} */ (values['user-id']),
          since: timeOption(values, 'since', now),
          until: timeOption(values, 'until', now),
          page: wholeNumber(values, 'page'),
          per_page: wholeNumber(values, 'per-page'),
        };
        printList(output, await api().get('audit-events', query), COLUMNS);
      },
    },
  },
};
