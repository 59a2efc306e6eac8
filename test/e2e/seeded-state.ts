/**
 * The migrated, seeded local state every e2e worker starts from (vitest globalSetup): wrangler's
 * own migration runner (so the `d1_migrations` bookkeeping is the real one) and the dev seed, as
 * `npm run dev` does (scripts/dev.mjs), run once per vitest run into a template persist directory
 * that each worker server copies (./worker-server.ts); running the two wrangler CLI processes for
 * every server cost about 20 s each time. The copy is taken after wrangler has exited, so the
 * SQLite files (with their -wal and -shm) are at rest and copying them is faithful. The template
 * is removed at teardown.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The template persist directory: D1 migrated and seeded, to be copied, never served from. */
    seededStateDir: string;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The CLI's own entry point, run with the Node that runs vitest rather than whichever `node` PATH finds first. */
const WRANGLER_CLI = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
const CLI_TIMEOUT_MS = 60_000;

/**
 * Nothing but 127.0.0.1: no metrics, no update check (it runs with the banner), no download of
 * the `Request.cf` object; `CI` makes `migrations apply` skip its confirmation prompt.
 */
const OFFLINE_ENV = {
  CI: 'true',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
} as const;

/** Runs a wrangler CLI command from the project root; its output is shown only when it fails. */
function wrangler(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [WRANGLER_CLI, ...args],
      { cwd: ROOT, env: { ...process.env, ...OFFLINE_ENV }, timeout: CLI_TIMEOUT_MS },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`wrangler ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve();
      },
    );
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-auth-e2e-seeded-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir]);
    await wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', dir, '--file', 'scripts/dev-seed.sql']);
  } catch (error) {
    await remove();
    throw error;
  }
  project.provide('seededStateDir', dir);
  return remove;
}
