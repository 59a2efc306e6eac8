import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { unstable_startWorker } from 'wrangler';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Rejects when `promise` has not settled within `ms`: every wait in these tests is bounded. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The worker served by wrangler over real HTTP. */
export interface WorkerServer {
  /** `http://127.0.0.1:<port>`: both the ISSUER the worker is configured with and where it listens. */
  issuer: string;
  /** Stops the worker and starts it again on the same port and state, as a crash or a deploy would. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A loopback port that was free a moment ago (nothing listens on it): the issuer must be known before the worker starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface WorkerServerOptions {
  /**
   * Runs on the state directory once it is migrated and seeded, before the worker starts: for
   * tests that must write to the local D1 the way an operator does (`admin bootstrap --local --persist-to`).
   */
  prepare?: (persistDir: string) => Promise<void>;
  /** Variables besides ISSUER, as `npm run dev` passes DEV_HOME_PAGE with `--var`. */
  vars?: Readonly<Record<string, string>>;
  /**
   * `localhost`: the issuer is `http://localhost:<port>` (the worker still listens on 127.0.0.1),
   * for WebAuthn, whose RP ID must be a domain, never an IP address.
   */
  host?: 'localhost';
}

/** One start of the worker on `port`, with its state in `persistDir`; resolves once it answers. */
async function serve(issuer: string, port: number, persistDir: string, vars: Readonly<Record<string, string>>) {
  const plain = (value: string) => ({ type: 'plain_text', value }) as const;
  const worker = await unstable_startWorker({
    config: join(ROOT, 'wrangler.toml'),
    // As `npm run dev` runs it: with the development pages (the mailbox, where tests read mail).
    entrypoint: join(ROOT, 'src/dev-worker.ts'),
    bindings: { ...Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, plain(value)])), ISSUER: plain(issuer) },
    sendMetrics: false,
    dev: {
      server: { hostname: '127.0.0.1', port },
      persist: persistDir,
      remote: false,
      inspector: false,
      watch: false,
      logLevel: 'warn',
    },
  });
  try {
    await worker.ready;
    const url = await worker.url;
    if (url.origin !== issuer.replace('//localhost:', '//127.0.0.1:')) throw new Error(`the worker listens on ${url.origin}, not on its issuer ${issuer}`);
  } catch (error) {
    await worker.dispose();
    throw error;
  }
  return worker;
}

/**
 * Starts ./wrangler.toml's worker with `unstable_startWorker` on a free 127.0.0.1 port, with the
 * issuer set to that address (the worker never guesses it from Host) and its D1 and Durable Object
 * state in a fresh temporary directory, so each run starts from the migrated, seeded database alone.
 */
export async function startWorkerServer(options: WorkerServerOptions = {}): Promise<WorkerServer> {
  // No download of the `Request.cf` object by the workerd that runs in this process.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const persistDir = await mkdtemp(join(tmpdir(), 'edge-auth-e2e-'));
  const removeState = () => rm(persistDir, { recursive: true, force: true });
  try {
    // The state ./seeded-state.ts migrated and seeded once for the whole run.
    await cp(inject('seededStateDir'), persistDir, { recursive: true });
    await options.prepare?.(persistDir);
    const port = await freePort();
    const issuer = `http://${options.host ?? '127.0.0.1'}:${port}`;
    const vars = options.vars ?? {};
    let worker = await serve(issuer, port, persistDir, vars);
    return {
      issuer,
      async restart() {
        await worker.dispose();
        worker = await serve(issuer, port, persistDir, vars);
      },
      async close() {
        try {
          await worker.dispose();
        } finally {
          await removeState();
        }
      },
    };
  } catch (error) {
    await removeState();
    throw error;
  }
}
