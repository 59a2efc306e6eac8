import { CONNECTION_OPTIONS, OUTPUT_OPTIONS } from './argv.mjs';

export const PROGRAM = 'npm run admin --';

/**
 * @typedef {import('./command.mjs').Command} Command
 * @typedef {import('./command.mjs').CommandGroup} CommandGroup
 * @typedef {Record<string, Command | CommandGroup>} CommandTable
 */

/** @param {Command | CommandGroup} entry @returns {entry is CommandGroup} */
export const isGroup = (entry) => 'commands' in entry;

/** @param {Record<string, import('./argv.mjs').OptionSpec>} specs */
function optionLines(specs) {
  const rows = Object.entries(specs).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : ''}--${spec.negatable ? '[no-]' : ''}${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`,
    spec.help,
  ]);
  const width = Math.max(...rows.map(([flag]) => (flag ?? '').length));
  return rows.map(([flag, text]) => `  ${(flag ?? '').padEnd(width)}  ${text}`);
}

/** @param {[string, string][]} rows */
function twoColumns(rows) {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

/** @param {CommandTable} table */
export function programHelp(table) {
  /** @type {[string, string][]} */
  const rows = Object.entries(table).map(([name, entry]) => [
    isGroup(entry) ? `${name} ${Object.keys(entry.commands).join('|')}` : `${name} ${commandSynopsis(entry)}`.trim(),
    entry.summary,
  ]);
  rows.push(['help [command]', 'this help, or a command’s']);
  return [
    'edge-auth admin: register apps, APIs and users, rotate keys and read the audit log through the Management API.',
    '',
    programUsage(table).split('\n')[0],
    '',
    'Commands:',
    ...twoColumns(rows),
    '',
    'Connection (before or after the command; also EDGE_AUTH_URL, EDGE_AUTH_CLIENT_ID, EDGE_AUTH_CLIENT_SECRET):',
    ...optionLines(CONNECTION_OPTIONS),
    '',
    'Output:',
    ...optionLines(OUTPUT_OPTIONS),
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's options. In scripts use \`npm run -s admin -- ... --json\`:`,
    "-s keeps npm's banner out of the JSON. Exit status: 0 done, 1 refused or failed, 2 wrong usage.",
  ].join('\n');
}

/**
 * The usage lines under an unknown command's or option's error.
 * @param {CommandTable} table
 */
export function programUsage(table) {
  return `Usage: ${PROGRAM} [connection options] <command> [options]\nCommands: ${[...Object.keys(table), 'help'].join(', ')}`;
}

/**
 * @param {string} name
 * @param {CommandGroup} group
 */
export function groupUsage(name, group) {
  return `Usage: ${PROGRAM} ${name} <command> [options]\n${name} commands: ${Object.keys(group.commands).join(', ')}`;
}

/**
 * @param {string} path  e.g. `clients create`
 * @param {Command} command
 */
export function commandUsage(path, command) {
  return `Usage: ${PROGRAM} ${path} ${commandSynopsis(command)}`.trimEnd();
}

/** @param {Command} command */
function commandSynopsis(command) {
  const args = (command.args ?? []).map((name) => `<${name}>`);
  const hasOptions = Object.keys(command.options ?? {}).length > 0;
  return [...args, ...(hasOptions ? ['[options]'] : [])].join(' ');
}

/**
 * @param {string} name
 * @param {CommandGroup} group
 */
export function groupHelp(name, group) {
  /** @type {[string, string][]} */
  const rows = Object.entries(group.commands).map(([sub, command]) => [`${name} ${sub} ${commandSynopsis(command)}`.trim(), command.summary]);
  return [`${name}: ${group.summary}`, '', 'Commands:', ...twoColumns(rows), '', `Run \`${PROGRAM} ${name} <command> --help\` for its options.`].join('\n');
}

/**
 * @param {string} path  e.g. `clients create`
 * @param {Command} command
 */
export function commandHelp(path, command) {
  const lines = [commandUsage(path, command), '', `${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.`];
  if (command.details) lines.push('', command.details);
  if (command.options && Object.keys(command.options).length) lines.push('', 'Options:', ...optionLines(command.options));
  lines.push('', 'Also: --json, --debug, --help, and the connection options (see `help`).');
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((example) => `  ${PROGRAM} ${example}`));
  return lines.join('\n');
}
