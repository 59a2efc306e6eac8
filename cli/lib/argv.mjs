import { parseArgs } from 'node:util';
import { UnknownNameError, UsageError } from './errors.mjs';
import { didYouMean } from './suggest.mjs';

/**
 * @typedef {object} OptionSpec
 * @property {'string' | 'boolean'} type
 * @property {boolean} [multiple]  may be given more than once
 * @property {boolean} [negatable]  a boolean that `--no-<name>` sets to false
 * @property {string} [short]
 * @property {string} [value]  the value's name in help, e.g. `URI`
 * @property {string} help
 */

/** @typedef {Record<string, string | boolean | string[] | undefined>} OptionValues */

/** How to reach edge-auth; accepted before the command, and after it unless the command has an option of that name. */
export const CONNECTION_OPTIONS = /** @type {const} @satisfies {Record<string, OptionSpec>} */ ({
  url: { type: 'string', value: 'URL', help: 'edge-auth base URL (default $EDGE_AUTH_URL, else http://127.0.0.1:8787)' },
  'client-id': { type: 'string', value: 'ID', help: 'Management API client id (default $EDGE_AUTH_CLIENT_ID; dev-admin on a loopback URL)' },
  'client-secret': {
    type: 'string',
    value: 'SECRET',
    help: 'its secret (default $EDGE_AUTH_CLIENT_SECRET; dev-admin-secret on a loopback URL). Prefer the variable: arguments show in `ps` and shell history',
  },
});

/** Accepted everywhere. */
export const OUTPUT_OPTIONS = /** @type {const} @satisfies {Record<string, OptionSpec>} */ ({
  json: { type: 'boolean', help: 'print the JSON the Management API returned, for scripts' },
  debug: { type: 'boolean', help: 'show each request and, on failure, the stack trace' },
  help: { type: 'boolean', short: 'h', help: 'show help' },
});

export const GLOBAL_OPTIONS = { ...CONNECTION_OPTIONS, ...OUTPUT_OPTIONS };

/**
 * The long names `specs` accepts, `no-<name>` of negatable ones among them.
 * @param {Record<string, OptionSpec>} specs
 */
function acceptedNames(specs) {
  return Object.entries(specs).flatMap(([name, spec]) => (spec.negatable ? [name, `no-${name}`] : [name]));
}

/** @param {Record<string, OptionSpec>} specs */
function parseArgsConfig(specs) {
  return Object.fromEntries(
    Object.entries(specs).flatMap(([name, spec]) => [
      [name, { type: spec.type, ...(spec.multiple && { multiple: true }), ...(spec.short && { short: spec.short }) }],
      ...(spec.negatable ? [[`no-${name}`, { type: 'boolean' }]] : []),
    ]),
  );
}

/**
 * An unknown option, with the known one it most likely meant.
 * @param {string} token  as given, e.g. `--scopes=x`
 * @param {Record<string, OptionSpec>} specs
 * @param {string} [where]  e.g. `before the command`
 */
export function unknownOption(token, specs, where) {
  const name = token.replace(/^--?/, '').split('=')[0] ?? '';
  const suggestion = didYouMean(name, acceptedNames(specs), (known) => `--${known}`);
  return new UnknownNameError(`Unknown option ${token.split('=')[0]}${where ? ` ${where}` : ''}.${suggestion}`);
}

/**
 * The first option in `args` that `specs` does not define (before any `--`), so the error can say
 * what was meant; node:util only says that it is unknown.
 * @param {string[]} args
 * @param {Record<string, OptionSpec>} specs
 * @returns {string | undefined}
 */
function firstUnknownOption(args, specs) {
  const names = acceptedNames(specs);
  const shorts = Object.values(specs).flatMap((spec) => (spec.short ? [spec.short] : []));
  for (let index = 0; index < args.length; index += 1) {
    const token = /** @type {string} */ (args[index]);
    if (token === '--') return undefined;
    if (!token.startsWith('-') || token === '-') continue;
    const name = token.startsWith('--') ? (token.slice(2).split('=')[0] ?? '') : undefined;
    const known = name === undefined ? shorts.includes(token.slice(1)) : names.includes(name);
    if (!known) return token;
    // A string option's value is the next word, whatever it looks like.
    if (name !== undefined && specs[name]?.type === 'string' && !token.includes('=')) index += 1;
  }
  return undefined;
}

/**
 * `--no-<name>` folded into `<name>: false`.
 * @param {OptionValues} values
 * @param {Record<string, OptionSpec>} specs
 */
function foldNegations(values, specs) {
  for (const [name, spec] of Object.entries(specs)) {
    if (!spec.negatable || values[`no-${name}`] === undefined) continue;
    if (values[name] !== undefined) throw new UsageError(`Give --${name} or --no-${name}, not both.`);
    values[name] = false;
    delete values[`no-${name}`];
  }
  return values;
}

/**
 * `node:util` parseArgs, with its errors turned into usage errors.
 * @param {string[]} args
 * @param {Record<string, OptionSpec>} specs
 * @param {boolean} allowPositionals
 */
function parse(args, specs, allowPositionals) {
  const unknown = firstUnknownOption(args, specs);
  if (unknown !== undefined) throw unknownOption(unknown, specs);
  try {
    const { values, positionals } = parseArgs({ args, options: parseArgsConfig(specs), strict: true, allowPositionals });
    return { values: foldNegations(/** @type {OptionValues} */ (values), specs), positionals };
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(error.message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '.'));
    }
    throw error;
  }
}

/**
 * Splits `[global options] <command words...> [command options]`: the options before the first
 * word are global; everything from the first word on is the command's.
 * @param {string[]} argv
 * @returns {{ globalValues: OptionValues, rest: string[] }}
 */
export function splitGlobalOptions(argv) {
  let index = 0;
  while (index < argv.length && argv[index]?.startsWith('-') && argv[index] !== '--') {
    const token = /** @type {string} */ (argv[index]);
    const name = token.startsWith('--') ? token.slice(2).split('=')[0] : token === '-h' ? 'help' : token.slice(1);
    const spec = GLOBAL_OPTIONS[/** @type {keyof typeof GLOBAL_OPTIONS} */ (name ?? '')];
    if (!spec) throw unknownOption(token, GLOBAL_OPTIONS, 'before the command');
    index += spec.type === 'string' && !token.includes('=') ? 2 : 1;
  }
  const { values } = parse(argv.slice(0, index), GLOBAL_OPTIONS, false);
  return { globalValues: values, rest: argv.slice(index) };
}

/**
 * Parses a command's own arguments. Connection options a command does not define itself still
 * configure the connection; one it does define (`grants --client-id`) is the command's, and the
 * connection's must then come before the command or from the environment.
 * @param {string[]} args
 * @param {Record<string, OptionSpec>} commandOptions
 * @param {OptionValues} globalValues
 */
export function parseCommandArgs(args, commandOptions, globalValues) {
  const { values, positionals } = parse(args, { ...GLOBAL_OPTIONS, ...commandOptions }, true);
  /** @type {OptionValues} */
  const connection = {};
  for (const name of Object.keys(CONNECTION_OPTIONS)) {
    connection[name] = name in commandOptions ? globalValues[name] : values[name] ?? globalValues[name];
  }
  return {
    connection,
    values,
    positionals,
    json: Boolean(values.json ?? globalValues.json),
    debug: Boolean(values.debug ?? globalValues.debug),
  };
}

/**
 * Values of a repeatable option; each may also hold several space-separated entries
 * (`--scope "openid profile" --scope email`). Duplicates are dropped.
 * @param {OptionValues} values
 * @param {string} name
 * @returns {string[] | undefined}
 */
export function spaceSeparatedList(values, name) {
  const given = values[name];
  if (given === undefined) return undefined;
  const items = (Array.isArray(given) ? given : [String(given)]).flatMap((value) => value.split(/\s+/)).filter(Boolean);
  return [...new Set(items)];
}

/**
 * A repeatable option's values as given, one entry per occurrence.
 * @param {OptionValues} values
 * @param {string} name
 * @returns {string[] | undefined}
 */
export function repeated(values, name) {
  const given = values[name];
  if (given === undefined) return undefined;
  return Array.isArray(given) ? given : [String(given)];
}

/**
 * A whole number of seconds, or `default` (null: inherit the server's default).
 * @param {OptionValues} values
 * @param {string} name
 * @returns {number | null | undefined}
 */
export function secondsOrDefault(values, name) {
  const given = values[name];
  if (given === undefined) return undefined;
  if (given === 'default') return null;
  return wholeNumber(values, name);
}

/**
 * A string, or `none` (null: remove it).
 * @param {OptionValues} values
 * @param {string} name
 * @returns {string | null | undefined}
 */
export function valueOrNone(values, name) {
  const given = values[name];
  if (given === undefined) return undefined;
  return given === 'none' ? null : String(given);
}

/**
 * @param {OptionValues} values
 * @param {string} name
 * @returns {number | undefined}
 */
export function wholeNumber(values, name) {
  const given = values[name];
  if (given === undefined) return undefined;
  if (typeof given !== 'string' || !/^\d{1,15}$/.test(given)) throw new UsageError(`--${name} must be a whole number, not ${JSON.stringify(given)}.`);
  return Number(given);
}

/**
 * @template {string} T
 * @param {OptionValues} values
 * @param {string} name
 * @param {readonly T[]} allowed
 * @returns {T | undefined}
 */
export function oneOf(values, name, allowed) {
  const given = values[name];
  if (given === undefined) return undefined;
  if (!allowed.includes(/** @type {T} */ (given))) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(given)}.`);
  return /** @type {T} */ (given);
}

/**
 * @param {OptionValues} values
 * @param {string} name
 * @returns {string}
 */
export function required(values, name) {
  const given = values[name];
  if (typeof given !== 'string' || given === '') throw new UsageError(`--${name} is required.`);
  return given;
}

/**
 * The body of an update: only what was given, and at least one thing.
 * @param {Record<string, unknown>} fields
 * @param {string} what  the command, for the message
 */
export function changes(fields, what) {
  const body = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  if (Object.keys(body).length === 0) throw new UsageError(`${what}: give at least one option to change (see --help).`);
  return body;
}
