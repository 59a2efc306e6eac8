/**
 * The shape of the command table (cli/admin.mjs): groups of subcommands (`clients create`) and
 * single commands (`bootstrap`), each with the options and help it shows.
 */

/**
 * @typedef {object} CommandContext
 * @property {import('./argv.mjs').OptionValues} values  the command's options
 * @property {string[]} args  its positional arguments, as many as `args` names
 * @property {import('./output.mjs').Output} output
 * @property {() => import('./management-client.mjs').ManagementClient} api  connects on first use
 * @property {NodeJS.ProcessEnv} env
 */

/**
 * @typedef {object} Command
 * @property {string} summary
 * @property {string[]} [args]  names of required positional arguments, e.g. `['id']`
 * @property {Record<string, import('./argv.mjs').OptionSpec>} [options]
 * @property {string[]} [examples]
 * @property {string} [details]  more help text
 * @property {(context: CommandContext) => Promise<void>} run
 */

/**
 * @typedef {object} CommandGroup
 * @property {string} summary
 * @property {Record<string, Command>} commands
 */

/** Options every list command takes: the Management API's zero-based pages. */
export const PAGE_OPTIONS = /** @type {const} */ ({
  page: { type: 'string', value: 'N', help: 'page number, from 0' },
  'per-page': { type: 'string', value: 'N', help: 'items per page, 1 to 100 (default 50)' },
});
