#!/usr/bin/env node
// A native app's sign-in against edge-auth, as a command-line program: see README.md beside it.
import { parseArgs } from 'node:util';
import { SignInError, UsageError } from './errors.mjs';
import { AUDIENCE, SCOPE, signIn } from './sign-in-flow.mjs';
import { formatSummary, summarize } from './summary.mjs';
import { chosenIssuer, DEFAULT_ISSUER, isLoopbackAddress } from './where-edge-auth-runs.mjs';

const PROGRAM = 'node examples/native-app/sign-in.mjs';
const DEFAULT_CLIENT_ID = 'demo-app';
const DEFAULT_TIMEOUT_SECONDS = 300;
/** A day: longer than anyone waits at a login page, short enough for setTimeout. */
const MAX_TIMEOUT_SECONDS = 86_400;

/** Exit statuses, as `npm run admin` uses them. */
const EXIT = { ok: 0, failed: 1, usage: 2 };

const HELP = `Signs in to edge-auth exactly as a native iOS or Android app does, with oauth4webapi:
discovery, an RFC 8252 loopback redirect on a random port, PKCE S256, state and nonce; then it
validates the ID token, verifies the access token against the JWKS with jose, reads /userinfo and
refreshes once.

Usage: ${PROGRAM} [options]

Options:
  --issuer URL        the authorization server (default $EDGE_AUTH_URL, else ${DEFAULT_ISSUER},
                      where \`npm run dev\` serves); plain http only for a loopback address such as 127.0.0.1
  --client-id ID      a public client with http://127.0.0.1/callback registered (default ${DEFAULT_CLIENT_ID})
  --open              open the authorization URL in the system browser; otherwise only print it
  --dpop              bind the tokens to a key this process cannot export (DPoP, RFC 9449), as an
                      app does with the Secure Enclave or Android Keystore
  --delete-account    then delete the account, as an app's "Delete account" does: asks for the
                      delete:account scope with max_age=0, calls DELETE /account, and shows the
                      refresh token is refused afterwards (the dev seed's demo-app may ask for it)
  --timeout SECONDS   how long to wait for the browser to come back (default ${DEFAULT_TIMEOUT_SECONDS})
  --json              print a machine-readable summary (or error) on stdout
  -h, --help          show this help

It asks for scope "${SCOPE}" and audience ${AUDIENCE}.
Progress, and the line "Open this URL: <url>", go to stderr; the summary goes to stdout. Tokens are
never printed whole: only their first 12 characters, a SHA-256 fingerprint and their claims.

Exit status: 0 signed in, 1 sign-in failed, 2 wrong usage.
`;

/**
 * @typedef {object} Options
 * @property {URL} issuer
 * @property {string} clientId
 * @property {number} timeoutMs
 * @property {boolean} openBrowser
 * @property {boolean} dpop
 * @property {boolean} deleteAccount
 * @property {boolean} json
 * @property {boolean} help
 */

/**
 * @param {string[]} argv
 * @returns {Options}
 */
function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        issuer: { type: 'string' },
        'client-id': { type: 'string', default: DEFAULT_CLIENT_ID },
        open: { type: 'boolean', default: false },
        dpop: { type: 'boolean', default: false },
        'delete-account': { type: 'boolean', default: false },
        timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_SECONDS) },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '.') : String(error));
  }
  return {
    issuer: parseIssuer(chosenIssuer(values.issuer, process.env)),
    clientId: parseClientId(values['client-id']),
    timeoutMs: parseTimeout(values.timeout) * 1000,
    openBrowser: values.open,
    dpop: values.dpop,
    deleteAccount: values['delete-account'],
    json: values.json,
    help: values.help,
  };
}

/** @param {{ value: string, source: string }} chosen  the URL and the option or variable it came from */
function parseIssuer({ value, source }) {
  /** @type {URL} */
  let issuer;
  try {
    issuer = new URL(value);
  } catch {
    throw new UsageError(`${source} must be an absolute URL such as https://auth.example.com, not ${JSON.stringify(value)}.`);
  }
  if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:') throw new UsageError(`${source} must be an https URL.`);
  if (issuer.search || issuer.hash || issuer.username || issuer.password) {
    throw new UsageError(`${source} must be the issuer URL alone, without credentials, query or fragment.`);
  }
  // Tokens travel in clear over http: acceptable only to this machine.
  if (issuer.protocol === 'http:' && !isLoopbackAddress(issuer.hostname)) {
    throw new UsageError(`Refusing plain http to ${issuer.host} (${source}): use https (http is only for loopback addresses such as 127.0.0.1).`);
  }
  return issuer;
}

/** @param {string} value */
function parseClientId(value) {
  if (value.trim() === '') throw new UsageError('--client-id must not be empty.');
  return value;
}

/** @param {string} value */
function parseTimeout(value) {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(`--timeout must be a number of seconds between 0 and ${MAX_TIMEOUT_SECONDS}, not ${JSON.stringify(value)}.`);
  }
  return seconds;
}

/**
 * @param {string[]} argv
 * @returns {Promise<number>} the exit status
 */
async function main(argv) {
  const json = argv.includes('--json');
  try {
    const options = parseOptions(argv);
    if (options.help) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    const result = await signIn({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
    const summary = summarize(result);
    process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : `\n${formatSummary(summary)}`);
    return EXIT.ok;
  } catch (error) {
    const usage = error instanceof UsageError;
    const failure =
      error instanceof SignInError || usage
        ? error
        : new SignInError('unexpected', 'unexpected', `unexpected failure: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    process.stderr.write(`error: ${failure.message}${usage ? ` (see \`${PROGRAM} --help\`)` : ''}\n`);
    if (json) {
      const detail = failure instanceof SignInError ? failure.toJSON() : { step: 'usage', code: 'usage', message: failure.message };
      process.stdout.write(`${JSON.stringify({ ok: false, error: detail }, null, 2)}\n`);
    }
    if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return usage ? EXIT.usage : EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
