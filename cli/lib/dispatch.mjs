import { parseCommandArgs, splitGlobalOptions } from './argv.mjs';
import { resolveConnection } from './connection.mjs';
import { UnknownNameError, UsageError } from './errors.mjs';
import { commandHelp, commandUsage, groupHelp, groupUsage, isGroup, PROGRAM, programHelp, programUsage } from './help.mjs';
import { didYouMean } from './suggest.mjs';
import { createManagementClient } from './management-client.mjs';
import { createOutput } from './output.mjs';

/**
 * @typedef {import('./help.mjs').CommandTable} CommandTable
 * @typedef {{ env: NodeJS.ProcessEnv, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream }} Io
 */

/** `--help` or `-h` among a command's own arguments (before any `--`). */
const asksForHelp = (/** @type {string[]} */ args) => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
};

/**
 * Finds the command `argv` names, or the help it asks for.
 * @param {CommandTable} table
 * @param {string[]} words  the arguments from the command name on
 * @param {boolean} help  `--help` was given before the command
 * @returns {{ help: string } | { path: string, command: import('./command.mjs').Command, args: string[] }}
 */
function resolveCommand(table, words, help) {
  const [name, sub] = words;
  if (name === undefined) {
    if (help) return { help: programHelp(table) };
    throw new UsageError(`Which command? Run \`${PROGRAM} help\` for the list.`);
  }
  if (name === 'help') return { help: helpFor(table, words.slice(1)) };
  const entry = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!entry) {
    const error = new UnknownNameError(`Unknown command "${name}".${didYouMean(name, [...Object.keys(table), 'help'])}`);
    throw Object.assign(error, { usage: programUsage(table) });
  }
  if (!isGroup(entry)) {
    return help || asksForHelp(words.slice(1)) ? { help: commandHelp(name, entry) } : { path: name, command: entry, args: words.slice(1) };
  }
  if (sub === undefined || sub.startsWith('-')) {
    if (help || asksForHelp(words.slice(1))) return { help: groupHelp(name, entry) };
    throw new UsageError(`${name} needs a command: ${Object.keys(entry.commands).join(', ')}.`);
  }
  const command = Object.hasOwn(entry.commands, sub) ? entry.commands[sub] : undefined;
  if (!command) {
    const error = new UnknownNameError(`Unknown command "${name} ${sub}".${didYouMean(sub, Object.keys(entry.commands), (known) => `${name} ${known}`)}`);
    throw Object.assign(error, { usage: groupUsage(name, entry), helpCommand: `${name} --help` });
  }
  const path = `${name} ${sub}`;
  return help || asksForHelp(words.slice(2)) ? { help: commandHelp(path, command) } : { path, command, args: words.slice(2) };
}

/**
 * @param {CommandTable} table
 * @param {string[]} words  what follows `help`
 */
function helpFor(table, words) {
  if (words.length === 0) return programHelp(table);
  const resolved = resolveCommand(table, [...words, '--help'], true);
  return 'help' in resolved ? resolved.help : programHelp(table);
}

/**
 * @template T
 * @param {() => T} step
 * @param {string} usage  shown under an unknown option's error
 * @returns {T}
 */
function withUsage(step, usage) {
  try {
    return step();
  } catch (error) {
    if (error instanceof UnknownNameError) error.usage ??= usage;
    throw error;
  }
}

/**
 * Runs one command line and returns its exit status; throws the errors the caller reports.
 * @param {CommandTable} table
 * @param {string[]} argv
 * @param {Io} io
 * @returns {Promise<number>}
 */
export async function dispatch(table, argv, io) {
  const { globalValues, rest } = withUsage(() => splitGlobalOptions(argv), programUsage(table));
  const resolved = resolveCommand(table, rest, globalValues.help === true);
  if ('help' in resolved) {
    io.stdout.write(`${resolved.help}\n`);
    return 0;
  }
  const { path, command, args } = resolved;
  try {
    return await runCommand(path, command, args, globalValues, io);
  } catch (error) {
    if (error instanceof UsageError) error.helpCommand ??= `${path} --help`;
    if (error instanceof UnknownNameError) error.usage ??= commandUsage(path, command);
    throw error;
  }
}

/**
 * @param {string} path
 * @param {import('./command.mjs').Command} command
 * @param {string[]} args
 * @param {import('./argv.mjs').OptionValues} globalValues
 * @param {Io} io
 */
async function runCommand(path, command, args, globalValues, io) {
  const parsed = parseCommandArgs(args, command.options ?? {}, globalValues);
  const expected = command.args ?? [];
  if (parsed.positionals.length < expected.length) {
    throw new UsageError(`${path} needs ${expected.slice(parsed.positionals.length).map((name) => `<${name}>`).join(' ')}.`);
  }
  if (parsed.positionals.length > expected.length) throw new UsageError(`${path}: unexpected argument "${parsed.positionals[expected.length]}".`);

  const output = createOutput({ json: parsed.json, stdout: io.stdout, stderr: io.stderr });
  const debug = parsed.debug ? (/** @type {string} */ line) => io.stderr.write(`debug: ${line}\n`) : undefined;
  /** @type {import('./management-client.mjs').ManagementClient | undefined} */
  let client;
  const api = () => (client ??= createManagementClient(resolveConnection(parsed.connection, io.env), { debug }));
  await command.run({ values: parsed.values, args: parsed.positionals, output, api, env: io.env });
  return 0;
}
