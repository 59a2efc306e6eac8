// `npm run bench`: edge-auth against the floor worker and two peers (@cloudflare/workers-oauth-provider
// and @openauthjs/openauth), in turns, under `wrangler dev` and under Miniflare; see bench/README.md
// for what each number means and how it is measured.
import { execFileSync } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PEERS, SERVERS, label, peerByName, verifyAccessToken } from './lib/adapters.mjs';
import { ENDPOINTS, Recorder, pool, runFlow, runDpopTokenPhase, runPhases, setUsers } from './lib/flows.mjs';
import { attribute, inspectorSession, moduleMap } from './lib/profile.mjs';
import { LOAD_SETTLE_S, printLoadReport, printReport } from './lib/report.mjs';
import {
  EDGE_CONFIG,
  FLOOR_CONFIG,
  ROOT,
  buildBundle,
  copyState,
  demoPasswordHash,
  migrateAndSeed,
  seedBenchUsers,
  startDev,
  startMiniflare,
  startupCost,
  withTimeout,
} from './lib/servers.mjs';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const USAGE = `npm run bench [-- options]

  --quick              a small run to check that everything works (under 3 minutes): --flows 80
                       --warmup 10 --phase 24 --phase-turns 1 --repeat 1 --users 64 --profile 0
                       --startup-runs 1, unless given
  --peers LIST         the peers run beside edge-auth and the floor: workers-oauth-provider,openauth
                       (default both), or none
  --flows N            measured full flows per server and mode (default 600)
  --concurrency C      requests in flight (default 8)
  --turns T            the flows are split into T turns, the servers' order rotating (default 4)
  --phase N            sign-ins carried through the per-endpoint phases (default 240)
  --phase-turns T      (default 3)
  --repeat K           /authorize and GET /login phases send K times as many requests (default 3)
  --warmup N           warm-up flows per server and mode (default 50)
  --users N            distinct users (and client addresses) the flows sign in as (default 256; 1 = the demo user)
  --modes LIST         dev,miniflare (default both)
  --startup-runs N     fresh workerd processes for the start-up cost (default 5)
  --profile N          sign-ins for the CPU profile per endpoint, 0 to skip (default 100)
  --load               the load mode instead: edge-auth alone, --load-flows at --load-concurrency
  --load-flows N       (default 10000)
  --load-concurrency C (default 32)
  --load-floor         also put the floor under the same load, for comparison
  --json FILE          also write every figure to FILE
  --strict             exit with status 3 when a target fails (default: 0 once the run completes)
  --max-minutes M      give up after M minutes (default 30, or 90 with --load)
`;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    peers: { type: 'string', default: PEERS.map(label).join(',') },
    flows: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    turns: { type: 'string', default: '4' },
    phase: { type: 'string' },
    'phase-turns': { type: 'string' },
    repeat: { type: 'string' },
    warmup: { type: 'string' },
    modes: { type: 'string', default: 'dev,miniflare' },
    users: { type: 'string' },
    'startup-runs': { type: 'string' },
    profile: { type: 'string' },
    load: { type: 'boolean', default: false },
    'load-flows': { type: 'string', default: '10000' },
    'load-concurrency': { type: 'string', default: '32' },
    'load-floor': { type: 'boolean', default: false },
    json: { type: 'string' },
    strict: { type: 'boolean', default: false },
    'max-minutes': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

/** Defaults, and the smaller ones of --quick; a value given on the command line wins over both. */
const DEFAULTS = { flows: '600', phase: '240', 'phase-turns': '3', repeat: '3', warmup: '50', users: '256', 'startup-runs': '5', profile: '100' };
const QUICK = { flows: '80', phase: '24', 'phase-turns': '1', repeat: '1', warmup: '10', users: '64', 'startup-runs': '1', profile: '0' };
for (const [name, value] of Object.entries(flags.quick ? QUICK : DEFAULTS)) flags[name] ??= value;

function count(name, min = 1, max = 1_000_000) {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

const settings = {
  flows: count('flows'),
  concurrency: count('concurrency', 1, 256),
  turns: count('turns', 1, 100),
  phase: count('phase'),
  phaseTurns: count('phase-turns', 1, 100),
  repeat: count('repeat', 1, 20),
  warmup: count('warmup', 1),
  startupRuns: count('startup-runs', 1, 50),
  users: count('users', 1, 100_000),
  profile: count('profile', 0),
  loadFlows: count('load-flows'),
  loadConcurrency: count('load-concurrency', 1, 256),
  load: flags.load,
  quick: flags.quick,
  modes: flags.modes.split(',').map((m) => m.trim()),
  peers: flags.peers === 'none' ? [] : flags.peers.split(',').map((p) => p.trim()),
};
for (const [i, name] of settings.peers.entries()) {
  settings.peers[i] = peerByName(name);
  if (!settings.peers[i]) {
    console.error(`--peers takes ${PEERS.map(label).join(' and/or ')}, or none, not ${name}`);
    process.exit(2);
  }
}
/** Every server of a normal run, in the order of the first turn. */
const ALL = ['edge', 'floor', ...settings.peers];
for (const mode of settings.modes) {
  if (mode !== 'dev' && mode !== 'miniflare') {
    console.error(`--modes takes dev and/or miniflare, not ${mode}`);
    process.exit(2);
  }
}
const maxMinutes = flags['max-minutes'] ? count('max-minutes', 1, 600) : settings.load ? 90 : 30;
/** Every batch of requests stops here at the latest; the watchdog below ends the process. */
const deadline = Date.now() + maxMinutes * 60_000;

const MODE_NAMES = {
  dev: 'wrangler dev (unstable_startWorker, as `npm run dev`: Node dev server + proxy workerd + worker workerd)',
  miniflare: 'Miniflare from Node on the dry-run bundle (one workerd, no proxy)',
};

const progress = (message) => process.stderr.write(`bench: ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Clean-up: servers and temporary state go whatever happens.

const cleanups = [];
let cleaningUp;
function cleanUp() {
  cleaningUp ??= (async () => {
    for (const fn of cleanups.reverse()) await fn().catch((error) => progress(`clean-up: ${error.message}`));
  })();
  return cleaningUp;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    progress(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  progress(`gave up after ${maxMinutes} minutes (--max-minutes)`);
  void cleanUp().finally(() => process.exit(1));
}, maxMinutes * 60_000 + 60_000);
watchdog.unref();

// ---------------------------------------------------------------------------------------------

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  const git = (args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git(['status', '--porcelain', '--', 'src', 'wrangler.toml', 'migrations', 'scripts/dev-seed.sql', 'package-lock.json'])
    .split('\n')
    .filter(Boolean).length;
  const versions = {};
  for (const [name, path] of [
    ['wrangler', 'node_modules/wrangler/package.json'],
    ['workerd', 'node_modules/wrangler/node_modules/workerd/package.json'],
    ['miniflare', 'node_modules/wrangler/node_modules/miniflare/package.json'],
  ]) {
    try {
      versions[name] = JSON.parse(readFileSync(join(ROOT, path), 'utf8')).version;
    } catch {
      versions[name] = '?';
    }
  }
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpu: model,
    kernel: os.release(),
    memGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    ...versions,
    git: `${git(['rev-parse', '--short', 'HEAD']) || '?'}${dirty ? ` + ${dirty} uncommitted change(s) in src/, config or seed` : ''}`,
    loadAvgStart: os.loadavg()[0],
  };
}

/**
 * Equal hashing: every server verifies the same PBKDF2-SHA256 hash, so edge-auth makes new hashes
 * (and the stand-in for unknown users) with PBKDF2 too, not its scrypt default, which is measured
 * on its own beside it.
 */
const EDGE_VARS = { PASSWORD_HASH_SCHEME: 'pbkdf2-sha256' };

/**
 * What the floor needs to do the same work as edge-auth: the demo user's password hash as seeded
 * (so the same PBKDF2 cost), edge-auth's code lifetime and runtime.
 */
async function edgeSettings(seeded) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(EDGE_CONFIG);
  const hash = await demoPasswordHash(seeded);
  if (!/^pbkdf2-sha256\$\d+\$/.test(hash)) throw new Error(`the demo user's hash is not pbkdf2-sha256: ${hash.split('$')[0]}`);
  return {
    compatibilityDate: workerOptions.compatibilityDate,
    compatibilityFlags: workerOptions.compatibilityFlags,
    storedIterations: Number(hash.split('$')[1]),
    configIterations: Number(workerOptions.bindings?.PASSWORD_HASH_ITERATIONS ?? 100_000),
    floorVars: {
      USER_EMAIL: 'demo@example.com',
      BENCH_USERS: String(settings.users),
      USER_PASSWORD_HASH: hash,
      CODE_TTL_SECONDS: String(workerOptions.bindings?.AUTHORIZATION_CODE_TTL_SECONDS ?? 60),
    },
  };
}

/** Runs `fn` and reads what it cost: wall time, CPU of the server's processes by role, and this driver's CPU. */
async function measured(server, fn) {
  const before = server.processes.snapshot();
  const driverBefore = process.cpuUsage();
  const started = performance.now();
  const requests = await fn();
  const wallMs = performance.now() - started;
  const cpu = server.processes.cpuSince(before);
  const driver = process.cpuUsage(driverBefore);
  return { requests, wallMs, workerCpuMs: cpu.worker, toolingCpuMs: cpu.tooling, driverCpuMs: (driver.user + driver.system) / 1000 };
}

const emptyTotals = () => ({ requests: 0, wallMs: 0, workerCpuMs: 0, toolingCpuMs: 0, driverCpuMs: 0 });
function addTo(totals, m) {
  for (const key of Object.keys(totals)) totals[key] += m[key];
}

/** The i-th of `turns` near-equal shares of `n`. */
const share = (n, turns, i) => Math.floor((n * (i + 1)) / turns) - Math.floor((n * i) / turns);

/** The first access tokens of the warm-up, checked as the server's own resource side would (lib/adapters.mjs). */
async function verifyTokens(server, recorder) {
  const cache = {};
  for (const token of recorder.tokens) {
    try {
      await verifyAccessToken(server, token, cache);
    } catch (error) {
      recorder.error('token', `access token does not verify: ${error.code ?? error.message}`);
    }
  }
  if (recorder.tokens.length === 0) recorder.error('token', 'no access token to verify');
}

/**
 * One server (lib/adapters.mjs) in one mode. edge-auth gets a copy of the seeded D1; the others
 * an empty state directory, the floor's vars (the seeded hash) and edge-auth's runtime. A server
 * that registers its client at start (workers-oauth-provider) does so here.
 */
async function startServer(mode, which, ctx, persist) {
  const server = SERVERS[which];
  const common = which === 'edge' ? { name: server.label, config: server.config, vars: EDGE_VARS } : {
    name: server.label,
    config: server.config,
    vars: ctx.edge.floorVars,
    compatibilityDate: ctx.edge.compatibilityDate,
    compatibilityFlags: ctx.edge.compatibilityFlags,
  };
  if (which === 'edge') await copyState(ctx.seeded, persist);
  else await mkdir(persist, { recursive: true });
  const started = mode === 'dev' ? await startDev({ ...common, persist }) : await startMiniflare({ ...common, bundle: ctx.bundles[which], persist });
  started.flow = server.flow;
  try {
    if (server.flow.setup) started.clientId = await server.flow.setup(started.url);
  } catch (error) {
    await started.close().catch(() => undefined);
    throw error;
  }
  return started;
}

/** `list` rotated left by `n`: turn t starts with the t-th server, so each takes each place in turn. */
const rotate = (list, n) => list.map((_, i) => list[(i + n) % list.length]);

/**
 * A password hash on its own: the floor's bench-only routes run `n` verifications of the demo
 * user's PBKDF2 hash (`pbkdf2`), or `n` scrypt hashes at edge-auth's default parameters (`scrypt`).
 */
async function hashCost(floor, n, route = 'pbkdf2') {
  await fetch(`${floor.url}/bench/${route}?n=2`, { signal: AbortSignal.timeout(30_000) }).then((r) => r.text());
  let inWorker;
  const m = await measured(floor, async () => {
    inWorker = await (await fetch(`${floor.url}/bench/${route}?n=${n}`, { signal: AbortSignal.timeout(120_000) })).json();
    return n;
  });
  if (inWorker.ok !== n) throw new Error(`the floor verified ${inWorker.ok} of ${n} hashes`);
  return { n, workerCpuMs: m.workerCpuMs / n, workerWallMs: inWorker.ms / n };
}

function nodePbkdf2(iterations, salt, n = 5) {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) pbkdf2Sync('demo-password', salt, iterations, 32, 'sha256');
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
}

async function runMode(mode, ctx) {
  progress(`${mode}: starting ${ALL.map(label).join(', ')}`);
  const servers = {};
  const result = { name: MODE_NAMES[mode], servers: ALL, processes: {} };
  try {
    for (const which of ALL) servers[which] = await startServer(mode, which, ctx, join(ctx.tmp, `${mode}-${which}`));
    for (const which of ALL) {
      result.processes[which] = servers[which].processes.describe();
      result[which] = {
        warmup: new Recorder(),
        flowRecorder: new Recorder(),
        phaseRecorder: new Recorder(),
        flows: emptyTotals(),
        phases: Object.fromEntries(ENDPOINTS.map((e) => [e, emptyTotals()])),
        // edge-auth's token requests with a DPoP proof (issue 15), beside its Bearer ones in `phases`.
        dpopToken: emptyTotals(),
        dpopRecorder: new Recorder(),
      };
    }

    for (const which of ALL) {
      progress(`${mode}: warm-up, ${label(which)}`);
      const recorder = result[which].warmup;
      await pool(settings.warmup, settings.concurrency, deadline, () => runFlow(servers[which], recorder, true));
      await verifyTokens(servers[which], recorder);
      result[which].memoryAfterWarmup = servers[which].processes.memory();
    }

    for (let turn = 0; turn < settings.turns; turn++) {
      for (const which of rotate(ALL, turn)) {
        const n = share(settings.flows, settings.turns, turn);
        progress(`${mode}: flows, turn ${turn + 1}/${settings.turns}, ${label(which)}, ${n} flows`);
        const m = await measured(servers[which], () =>
          pool(n, settings.concurrency, deadline, () => runFlow(servers[which], result[which].flowRecorder)),
        );
        addTo(result[which].flows, m);
      }
    }

    for (let turn = 0; turn < settings.phaseTurns; turn++) {
      for (const which of rotate(ALL, turn)) {
        const n = share(settings.phase, settings.phaseTurns, turn);
        progress(`${mode}: per-endpoint phases, turn ${turn + 1}/${settings.phaseTurns}, ${label(which)}, ${n} sign-ins`);
        await runPhases(servers[which], result[which].phaseRecorder, n, settings.repeat, settings.concurrency, deadline, async (endpoint, fn) =>
          addTo(result[which].phases[endpoint], await measured(servers[which], fn)),
        );
        if (which === 'edge') {
          progress(`${mode}: DPoP token phase, turn ${turn + 1}/${settings.phaseTurns}, ${label(which)}, ${n} sign-ins`);
          await runDpopTokenPhase(servers.edge, result.edge.dpopRecorder, n, settings.concurrency, deadline, async (fn) =>
            addTo(result.edge.dpopToken, await measured(servers.edge, fn)),
          );
        }
      }
    }

    progress(`${mode}: PBKDF2 on its own`);
    result.pbkdf2 = await hashCost(servers.floor, 20);
    progress(`${mode}: scrypt (edge-auth's default) on its own`);
    result.scrypt = await hashCost(servers.floor, 10, 'scrypt');
    for (const which of ALL) result[which].memoryEnd = servers[which].processes.memory();
  } finally {
    for (const which of [...ALL].reverse()) await servers[which]?.close().catch((error) => progress(`closing ${label(which)}: ${error.message}`));
  }
  return result;
}

/** Storage round trips per endpoint from the counting builds: the first flow on a fresh isolate, then warm ones. */
async function roundTrips(ctx) {
  const out = {};
  for (const which of ['edge', 'floor']) {
    progress(`round trips: ${which}`);
    const persist = join(ctx.tmp, `count-${which}`);
    if (which === 'edge') await copyState(ctx.seeded, persist);
    else await mkdir(persist, { recursive: true });
    const server = await startMiniflare({
      name: `${which}-counting`,
      config: which === 'edge' ? EDGE_CONFIG : FLOOR_CONFIG,
      bundle: ctx.bundles[`${which}Counting`],
      persist,
      vars: which === 'edge' ? EDGE_VARS : ctx.edge.floorVars,
      ...(which === 'floor' ? { compatibilityDate: ctx.edge.compatibilityDate, compatibilityFlags: ctx.edge.compatibilityFlags } : {}),
    });
    try {
      const flows = [];
      const recorder = new Recorder();
      for (let i = 0; i < 6; i++) {
        const seen = {};
        recorder.onResponse = (endpoint, response) => {
          seen[endpoint] = {
            d1: Number(response.headers.get('x-bench-d1')),
            d1Sql: response.headers.get('x-bench-d1-sql') ?? '',
            do: Number(response.headers.get('x-bench-do')),
            doCalls: response.headers.get('x-bench-do-calls') ?? '',
            unattributed: response.headers.get('x-bench-unattributed') ?? '',
          };
        };
        await runFlow(server, recorder);
        flows.push(seen);
      }
      const warm = flows.slice(1);
      const variants = Object.fromEntries(
        ENDPOINTS.map((e) => [e, [...new Set(warm.map((f) => JSON.stringify(f[e])))].length]),
      );
      out[which] = { cold: flows[0], warm: flows.at(-1), warmVariants: variants, errors: recorder.errors, errorMessages: recorder.errorMessages };
    } finally {
      await server.close();
    }
  }
  return out;
}

/**
 * Where the worker process's time goes, per endpoint: the per-endpoint phases again, under
 * Miniflare, on unminified builds, with V8's sampling profiler attached to each worker's isolate.
 */
async function profileRun(ctx) {
  const out = { composition: {} };
  for (const which of ['edge', 'floor']) {
    progress(`profile: ${which}`);
    const bundle = await buildBundle(which === 'edge' ? EDGE_CONFIG : FLOOR_CONFIG, join(ctx.tmp, `bundle-${which}-unminified`), undefined, ['--no-minify']);
    const modules = await moduleMap(bundle.main);
    out.composition[which] = modules.composition();
    const persist = join(ctx.tmp, `profile-${which}`);
    if (which === 'edge') await copyState(ctx.seeded, persist);
    else await mkdir(persist, { recursive: true });
    const name = `${which}-profiled`;
    const server = await startMiniflare({
      name,
      config: which === 'edge' ? EDGE_CONFIG : FLOOR_CONFIG,
      bundle,
      persist,
      inspector: true,
      vars: which === 'edge' ? EDGE_VARS : ctx.edge.floorVars,
      ...(which === 'floor' ? { compatibilityDate: ctx.edge.compatibilityDate, compatibilityFlags: ctx.edge.compatibilityFlags } : {}),
    });
    let session;
    try {
      session = await inspectorSession(new URL(`/core:user:${name}`, await server.mf.getInspectorURL()).href);
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: 100 });
      const recorder = new Recorder();
      await pool(settings.warmup, settings.concurrency, deadline, () => runFlow(server, recorder));
      const endpoints = {};
      await runPhases(server, recorder, settings.profile, settings.repeat, settings.concurrency, deadline, async (endpoint, fn) => {
        await session.send('Profiler.start');
        const m = await measured(server, fn);
        const { profile } = await session.send('Profiler.stop');
        endpoints[endpoint] = { requests: m.requests, workerCpuMs: m.workerCpuMs, ...attribute(profile, modules) };
      });
      out[which] = { endpoints, errors: recorder.errors, errorMessages: recorder.errorMessages };
    } finally {
      session?.close();
      await server.close();
    }
  }
  return out;
}

async function runLoad(mode, ctx, which) {
  const label = `load (${mode}, ${which === 'edge' ? 'edge-auth' : 'floor'})`;
  progress(`${label}: starting`);
  const server = await startServer(mode, which, ctx, join(ctx.tmp, `load-${mode}-${which}`));
  try {
    const warmup = new Recorder();
    const warmupFlows = Math.max(settings.warmup, settings.loadConcurrency * 10);
    progress(`${label}: ${warmupFlows} warm-up flows at concurrency ${settings.loadConcurrency}`);
    await pool(warmupFlows, settings.loadConcurrency, deadline, () => runFlow(server, warmup, true));
    await verifyTokens(server, warmup);
    const afterWarmup = server.processes.memory();
    const recorder = new Recorder();
    progress(`${label}: ${settings.loadFlows} flows at concurrency ${settings.loadConcurrency}`);
    let done = 0;
    /** The worker's RSS at every tenth of the run: a leak keeps climbing, a cache levels off. */
    const rssCurve = [];
    const ticker = setInterval(() => progress(`${label}: ${done} flows done`), 30_000);
    let m;
    try {
      m = await measured(server, () =>
        pool(settings.loadFlows, settings.loadConcurrency, deadline, async () => {
          await runFlow(server, recorder);
          done++;
          if (done % Math.max(1, Math.floor(settings.loadFlows / 10)) === 0) rssCurve.push(server.processes.memory().worker.rssMiB);
        }),
      );
    } finally {
      clearInterval(ticker);
    }
    const afterRun = server.processes.memory();
    // For reading only: what a quiet moment gives back (workerd evicts idle objects).
    await new Promise((resolve) => setTimeout(resolve, LOAD_SETTLE_S * 1000));
    const afterSettle = server.processes.memory();
    return { mode: MODE_NAMES[mode], warmup, recorder, totals: m, afterWarmup, afterRun, afterSettle, rssCurve, processes: server.processes.describe() };
  } finally {
    await server.close();
  }
}

async function main() {
  const meta = machine();
  const tmp = await mkdtemp(join(os.tmpdir(), 'edge-auth-bench-'));
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  // Wrangler keeps scratch files next to the config it is given: the floor's and the peers' are ours to remove.
  for (const which of ['floor', ...PEERS]) {
    const scratch = join(dirname(SERVERS[which].config), '.wrangler');
    if (!existsSync(scratch)) cleanups.push(() => rm(scratch, { recursive: true, force: true }));
  }
  const ctx = { tmp, seeded: join(tmp, 'seeded'), bundles: {} };

  progress('building the bundles (wrangler deploy --dry-run) and seeding D1');
  const [edge, floor] = await Promise.all([
    buildBundle(EDGE_CONFIG, join(tmp, 'bundle-edge')),
    buildBundle(FLOOR_CONFIG, join(tmp, 'bundle-floor')),
  ]);
  Object.assign(ctx.bundles, { edge, floor });
  if (!settings.load) {
    for (const which of settings.peers) ctx.bundles[which] = await buildBundle(SERVERS[which].config, join(tmp, `bundle-${which}`));
  }
  await migrateAndSeed(ctx.seeded);
  ctx.edge = await edgeSettings(ctx.seeded);
  setUsers(settings.users);
  if (settings.users > 1) await seedBenchUsers(ctx.seeded, settings.users);

  if (settings.load) {
    const load = {};
    for (const mode of settings.modes) {
      load[mode] = { edge: await runLoad(mode, ctx, 'edge') };
      if (flags['load-floor']) load[mode].floor = await runLoad(mode, ctx, 'floor');
    }
    meta.loadAvgEnd = os.loadavg()[0];
    const json = printLoadReport({ meta, settings, edge: ctx.edge, load });
    if (flags.json) await writeJson(flags.json, json);
    return json.pass;
  }

  const [edgeCounting, floorCounting] = await Promise.all([
    buildBundle(EDGE_CONFIG, join(tmp, 'bundle-edge-counting'), 'bench/instrumented/edge-auth.ts'),
    buildBundle(FLOOR_CONFIG, join(tmp, 'bundle-floor-counting'), 'bench/instrumented/floor.ts'),
  ]);
  Object.assign(ctx.bundles, { edgeCounting, floorCounting });

  progress('start-up cost');
  const compat = [ctx.edge.compatibilityDate, ctx.edge.compatibilityFlags];
  const startup = {};
  for (const which of ALL) startup[which] = await startupCost(ctx.bundles[which], ...compat, settings.startupRuns);
  const trips = await roundTrips(ctx);
  const modes = {};
  for (const mode of settings.modes) modes[mode] = await runMode(mode, ctx);
  const profile = settings.profile > 0 ? await profileRun(ctx) : undefined;
  const [, iterations, salt] = ctx.edge.floorVars.USER_PASSWORD_HASH.split('$');
  const nodePbkdf2Ms = nodePbkdf2(Number(iterations), Buffer.from(salt, 'base64url'));
  meta.loadAvgEnd = os.loadavg()[0];

  const bundles = Object.fromEntries(ALL.map((which) => [which, ctx.bundles[which]]));
  const json = printReport({ meta, settings, edge: ctx.edge, bundles, startup, roundTrips: trips, modes, nodePbkdf2Ms, profile });
  if (flags.json) await writeJson(flags.json, json);
  return json.pass;
}

async function writeJson(file, data) {
  await writeFile(file, `${JSON.stringify(data, (key, value) => (value instanceof Set ? value.size : value), 2)}\n`);
}

let exitCode = 1;
try {
  const pass = await withTimeout(main(), maxMinutes * 60_000, 'the benchmark');
  exitCode = pass || !flags.strict ? 0 : 3;
} catch (error) {
  console.error(`bench failed: ${error?.stack ?? error}`);
} finally {
  await cleanUp();
  clearTimeout(watchdog);
}
process.exit(exitCode);
