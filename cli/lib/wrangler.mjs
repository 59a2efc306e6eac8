import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CliError } from './errors.mjs';

/** The project root: where wrangler.toml is, whatever the caller's working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WRANGLER = 'node_modules/.bin/wrangler';
/** Non-interactive and offline apart from what the command itself needs. */
export const WRANGLER_ENV = { CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
const TIMEOUT_MS = 120_000;

/**
 * Runs the project's wrangler with the Node that runs the CLI and returns its stdout. The
 * arguments go to the process as they are, through no shell.
 * @param {string[]} args
 * @returns {Promise<string>}
 */
export function runWrangler(args) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [WRANGLER, ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, ...WRANGLER_ENV }, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new CliError(`wrangler ${args.slice(0, 4).join(' ')} failed: ${failureReason(stdout, stderr, error)}`, { cause: error }));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Wrangler's own words for a failure: with `--json` it prints `{"error": {"text": ...}}` on stdout;
 * otherwise its `[ERROR]` line, or the first thing it said.
 * @param {string} stdout
 * @param {string} stderr
 * @param {Error} error
 */
function failureReason(stdout, stderr, error) {
  try {
    const text = JSON.parse(stdout)?.error?.text;
    if (typeof text === 'string') return text;
  } catch {
    // Not JSON: read the text output below.
  }
  const lines = `${stderr}\n${stdout}`.split('\n').map((line) => line.trim()).filter(Boolean);
  const line = lines.find((text) => text.includes('[ERROR]')) ?? lines[0] ?? error.message;
  return line.replace(/^.*\[ERROR\]\s*/, '');
}

/**
 * The results of `wrangler d1 execute --json`: one entry per statement.
 * @param {string} stdout
 * @returns {{ results?: Record<string, unknown>[], success?: boolean }[]}
 */
export function d1Results(stdout) {
  try {
    const parsed = JSON.parse(stdout);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    throw new CliError(`wrangler d1 execute printed something other than JSON: ${stdout.slice(0, 200)}`);
  }
}
