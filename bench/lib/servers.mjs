// Builds, seeds and serves the workers under benchmark, on 127.0.0.1 only.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { isWorkerd, processTree, ServerProcesses, commandLine } from './proc.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH = join(ROOT, 'bench');
export const EDGE_CONFIG = join(ROOT, 'wrangler.toml');
export const FLOOR_CONFIG = join(BENCH, 'floor/wrangler.toml');
const WRANGLER_CLI = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
const SERVE_DEV = join(BENCH, 'lib/serve-dev.mjs');

/**
 * Nothing but 127.0.0.1: no metrics, no update check, no download of the `Request.cf` object
 * (as test/e2e/worker-server.ts); `CI` keeps wrangler from prompting.
 */
export const OFFLINE_ENV = {
  CI: 'true',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};
Object.assign(process.env, OFFLINE_ENV);

/** Miniflare as wrangler itself uses it (its own dependency, so the same workerd as `wrangler dev`). */
const fromWrangler = createRequire(createRequire(import.meta.url).resolve('wrangler/package.json'));
const miniflare = await import(pathToFileURL(fromWrangler.resolve('miniflare')).href);

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs a wrangler CLI command from the project root with the Node running this script. */
export function wrangler(args, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [WRANGLER_CLI, ...args],
      { cwd: ROOT, env: { ...process.env, ...OFFLINE_ENV }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`wrangler ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

export async function freePort() {
  const probe = createServer();
  await new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * `wrangler deploy --dry-run --outdir`: the bundle exactly as `wrangler deploy` would upload it
 * (minified when the config says so). `entry` replaces the config's `main`.
 */
export async function buildBundle(config, outdir, entry, extraArgs = []) {
  const args = ['deploy', '--dry-run', '--outdir', outdir, '--config', config, ...extraArgs];
  if (entry) args.push(entry);
  const { stdout, stderr } = await wrangler(args);
  const line = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(`${stdout}\n${stderr}`);
  const files = (await readdir(outdir)).filter((f) => /\.(m?js|wasm)$/.test(f));
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = await readFile(join(outdir, file));
    raw += bytes.byteLength;
    gzip += gzipSync(bytes, { level: 9 }).byteLength;
  }
  // The main module is named after the entry point (index.js for src/index.ts).
  const main = files.length === 1 ? files[0] : files.find((f) => f === 'index.js');
  if (!main) throw new Error(`${config}: cannot tell the main module among ${files.join(', ')}`);
  return {
    dir: outdir,
    main: join(outdir, main),
    mainName: main,
    files,
    rawKiB: raw / 1024,
    gzipKiB: gzip / 1024,
    wranglerKiB: line ? Number(line[1]) : undefined,
    wranglerGzipKiB: line ? Number(line[2]) : undefined,
  };
}

/** The local D1 of `persistDir`, migrated and seeded as `npm run dev` does it (scripts/dev.mjs). */
export async function migrateAndSeed(persistDir) {
  await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir]);
  await wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--file', 'scripts/dev-seed.sql']);
}

async function d1Query(persistDir, sql) {
  const { stdout } = await wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--json', '--command', sql]);
  return JSON.parse(stdout)[0].results;
}

/** The demo user's stored password hash, as the dev seed wrote it. */
export async function demoPasswordHash(persistDir) {
  const rows = await d1Query(persistDir, "SELECT password_hash AS hash FROM users WHERE email = 'demo@example.com'");
  if (!rows[0]?.hash) throw new Error('the dev seed has no demo@example.com user');
  return rows[0].hash;
}

/**
 * Adds `count` bench users to the local D1 of `persistDir`: copies of the demo user (same password
 * hash, so the same PBKDF2 cost) with ids `bench_user_<i>` and emails `bench-user-<i>@example.com`.
 * Columns are read from the table, so a column added to `users` is copied too.
 */
export async function seedBenchUsers(persistDir, count) {
  const columns = (await d1Query(persistDir, 'PRAGMA table_info(users)')).map((c) => c.name);
  if (!columns.includes('id') || !columns.includes('email')) throw new Error(`unexpected users columns: ${columns.join(', ')}`);
  const values = columns.map((c) => (c === 'id' ? `'bench_user_' || i` : c === 'email' ? `'bench-user-' || i || '@example.com'` : `u."${c}"`));
  const sql =
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1}) ` +
    `INSERT OR IGNORE INTO users (${columns.map((c) => `"${c}"`).join(', ')}) ` +
    `SELECT ${values.join(', ')} FROM n, users u WHERE u.email = 'demo@example.com'`;
  await wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--command', sql]);
  const seeded = (await d1Query(persistDir, "SELECT count(*) AS n FROM users WHERE email LIKE 'bench-user-%'"))[0].n;
  if (seeded !== count) throw new Error(`seeded ${seeded} bench users, not ${count}`);
}

export async function copyState(from, to) {
  await mkdir(to, { recursive: true });
  if (await stat(from).catch(() => undefined)) await cp(from, to, { recursive: true });
}

/**
 * Serves a worker as `wrangler dev` does, in a child process (./serve-dev.mjs). Its process tree
 * is: Node (wrangler's dev server), esbuild, the proxy workerd that listens on `port`, and the
 * workerd that runs the worker; the last is the `worker` role, the rest is tooling.
 */
export async function startDev({ name, config, entrypoint, persist, vars, compatibilityDate, compatibilityFlags }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const options = { config, entrypoint, persist, port, vars: { ...vars, ISSUER: url }, compatibilityDate, compatibilityFlags };
  const child = spawn(process.execPath, [SERVE_DEV, JSON.stringify(options)], {
    cwd: ROOT,
    env: { ...process.env, ...OFFLINE_ENV },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = [];
  const keep = (chunk) => {
    output.push(String(chunk));
    if (output.length > 50) output.shift();
  };
  child.stderr.on('data', keep);
  const ready = new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      keep(chunk);
      buffered += chunk;
      if (/^READY /m.test(buffered)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name}: the dev server exited (${code}):\n${output.join('')}`)));
  });
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await withTimeout(exited, 20_000, `${name}: dev server shutdown`).catch(() => child.kill('SIGKILL'));
  };
  try {
    await withTimeout(ready, 150_000, `${name}: dev server start`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const proxyAddress = `--socket-addr=entry=127.0.0.1:${port}`;
  const processes = new ServerProcesses(
    () => processTree(child.pid),
    (pid) => isWorkerd(pid) && !commandLine(pid).includes(proxyAddress),
  );
  // The local runtime may start a moment after the proxy answers.
  for (let i = 0; i < 100 && processes.describe().filter((p) => p.role === 'worker').length !== 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (processes.describe().filter((p) => p.role === 'worker').length !== 1) {
    const found = JSON.stringify(processes.describe());
    await close();
    throw new Error(`${name}: expected one workerd running the worker, found ${found}\n${output.join('')}`);
  }
  return { name, url, processes, close, output };
}

/**
 * Serves a dry-run bundle with Miniflare driven from this process: one workerd, no dev proxy,
 * bindings and Durable Object classes from the same wrangler config the bundle was built with.
 */
export async function startMiniflare({ name, config, bundle, persist, vars, compatibilityDate, compatibilityFlags, inspector = false }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The bundle is already built: module rules (and the source root they resolve against) would
  // only make Miniflare look for sources, and its v5 options refuse them.
  const { modulesRules: _modulesRules, rootPath: _rootPath, ...workerOptions } = unstable_getMiniflareWorkerOptions(config).workerOptions;
  const mf = new miniflare.Miniflare(
    miniflare.convertV4MiniflareOptions({
      host: '127.0.0.1',
      port,
      ...(inspector ? { inspectorPort: await freePort(), inspectorHost: '127.0.0.1' } : {}),
      cf: false,
      resourcePersistencePath: join(persist, 'v3'),
      handleStructuredLogs: () => undefined,
      workers: [
        {
          ...workerOptions,
          name,
          ...(compatibilityDate ? { compatibilityDate } : {}),
          ...(compatibilityFlags ? { compatibilityFlags } : {}),
          scriptPath: bundle.main,
          modules: true,
          modulesRoot: bundle.dir,
          bindings: { ...workerOptions.bindings, ...vars, ISSUER: url },
        },
      ],
    }),
  );
  try {
    await withTimeout(mf.ready, 120_000, `${name}: Miniflare start`);
  } catch (error) {
    await mf.dispose().catch(() => undefined);
    throw error;
  }
  const address = `--socket-addr=entry=127.0.0.1:${port}`;
  const findWorkerd = () => processTree(process.pid).filter((pid) => isWorkerd(pid) && commandLine(pid).includes(address));
  const pids = findWorkerd();
  if (pids.length !== 1) {
    await mf.dispose();
    throw new Error(`${name}: expected one workerd listening on ${port}, found ${pids.length}`);
  }
  const processes = new ServerProcesses(() => pids.filter((pid) => commandLine(pid).length > 0), () => true);
  return { name, url, processes, close: () => withTimeout(mf.dispose(), 30_000, `${name}: Miniflare shutdown`), mf };
}

/**
 * The worker's start-up cost: a fresh workerd imports the bundle on the first request, and the
 * time of that import (parse, compile and top-level code) is measured inside workerd, whose clock
 * runs during execution locally. Median of `runs` fresh processes.
 */
export async function startupCost(bundle, compatibilityDate, compatibilityFlags, runs) {
  const probe = `export default { async fetch() {
    const started = performance.now();
    await import('./${bundle.mainName}');
    return Response.json({ ms: performance.now() - started });
  } };`;
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const mf = new miniflare.Miniflare(
      miniflare.convertV4MiniflareOptions({
        host: '127.0.0.1',
        port: 0,
        cf: false,
        handleStructuredLogs: () => undefined,
        workers: [
          {
            name: 'startup-probe',
            compatibilityDate,
            compatibilityFlags,
            modulesRoot: bundle.dir,
            modules: [
              { type: 'ESModule', path: join(bundle.dir, '__startup_probe.mjs'), contents: probe },
              ...bundle.files.filter((f) => f.endsWith('.js')).map((f) => ({ type: 'ESModule', path: join(bundle.dir, f) })),
            ],
          },
        ],
      }),
    );
    try {
      const base = await withTimeout(mf.ready, 60_000, 'startup probe');
      const response = await fetch(base, { signal: AbortSignal.timeout(30_000) });
      if (!response.ok) throw new Error(`startup probe: ${response.status} ${await response.text()}`);
      samples.push((await response.json()).ms);
    } finally {
      await withTimeout(mf.dispose(), 30_000, 'startup probe shutdown').catch(() => undefined);
    }
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)], samples };
}
