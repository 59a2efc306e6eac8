// The printed table and the targets of issue 6, each PASS or FAIL.
import { SERVERS, label } from './adapters.mjs';
import { ENDPOINTS, ENDPOINT_LABELS } from './flows.mjs';
import { fmt, percentile, table } from './stats.mjs';

/** Issue 6's bounds. */
export const LIMITS = {
  cpuRatio: 1.3,
  throughputRatio: 1.3,
  p99Ratio: 1.3,
  /** "Well inside the Free plan's 10 ms": at most half of it. */
  cheapEndpointCpuMs: 5,
  freePlanCpuMs: 10,
  /** Issue 14 raised it from 64 KiB for passkeys and second factors; test/e2e/bundle-budget.test.ts holds it too. */
  bundleGzipKiB: 128,
  loadRssGrowth: 0.1,
};

/** How long the load mode waits after its run before reading RSS once more. */
export const LOAD_SETTLE_S = 15;

const SHORT_MODE = { dev: 'wrangler dev', miniflare: 'Miniflare' };
const perRequest = (totals, key) => (totals.requests > 0 ? totals[key] / totals.requests : Number.NaN);
const ratio = (a, b) => (b > 0 ? a / b : Number.NaN);
const pcts = (samples) => [50, 95, 99].map((p) => fmt(percentile(samples, p))).join(' / ');
const mib = (m) => `${fmt(m.rssMiB, 0)}`;

function header({ meta, edge }, title) {
  return [
    `${title} (bench/README.md), ${meta.date}`,
    `machine:  ${meta.nproc} CPUs, ${meta.cpu}, Linux ${meta.kernel}, ${fmt(meta.memGiB)} GiB RAM; load average ${fmt(meta.loadAvgStart, 2)} at start, ${fmt(meta.loadAvgEnd, 2)} at end`,
    `software: Node ${meta.node}, wrangler ${meta.wrangler}, workerd ${meta.workerd}, miniflare ${meta.miniflare}; edge-auth git ${meta.git}`,
    `password: PBKDF2-SHA256 at ${edge.storedIterations} iterations (the seed's stored hash; PASSWORD_HASH_ITERATIONS ${edge.configIterations}), the same for every server`,
  ];
}

function describeProcesses(list) {
  const worker = list.filter((p) => p.role === 'worker').map((p) => `workerd pid ${p.pid}`);
  const tooling = list.filter((p) => p.role === 'tooling').map((p) => p.command.split(' ')[0] + (p.command.includes('--socket-addr') ? ' (proxy)' : ''));
  return `worker = ${worker.join(', ')}; tooling = ${tooling.length ? tooling.join(', ') : 'none'}`;
}

function callList(r) {
  const parts = [];
  if (r.d1Sql) parts.push(`D1: ${r.d1Sql.split(',').join(', ')}`);
  if (r.doCalls) parts.push(`DO: ${r.doCalls.split(',').join(', ')}`);
  if (r.unattributed) parts.push(`outside any request: ${r.unattributed}`);
  return parts.join('; ') || '-';
}

/** D1 round trips that only read (selects, or a batch of selects). */
const d1Reads = (r) => (r?.d1Sql ? r.d1Sql.split(',').filter((q) => /^(batch\()?select\b/.test(q) && !/\+(?!select)/.test(q)).length : 0);
const trips = (r) => (r ? `D1 ${r.d1}${r.d1 ? ` (${d1Reads(r)} read)` : ''}  DO ${r.do}` : '-');

/** Prints the whole report; returns every figure plus the targets and whether all passed. */
export function printReport(data) {
  const { meta, settings, bundles, startup, roundTrips, modes, nodePbkdf2Ms, profile } = data;
  const out = header(data, 'edge-auth benchmark');
  const all = Object.keys(bundles);
  out.push(
    `settings: ${settings.flows} full flows per server and mode at concurrency ${settings.concurrency} in ${settings.turns} turns (the servers' order rotating), after ${settings.warmup} warm-up flows;`,
    `          per-endpoint phases: ${settings.phase} sign-ins in ${settings.phaseTurns} turns (${settings.repeat}x as many requests to GET /authorize and GET /login)${settings.quick ? '; --quick' : ''}`,
    '',
    table([
      ['BUNDLE AND START-UP', ...all.map(label)],
      ['upload, KiB (wrangler deploy --dry-run --outdir, minified)', ...all.map((w) => fmt(bundles[w].wranglerKiB))],
      ['gzip, KiB, as wrangler reports it', ...all.map((w) => fmt(bundles[w].wranglerGzipKiB))],
      ['gzip -9 of the output files, KiB', ...all.map((w) => fmt(bundles[w].gzipKiB))],
      [`start-up: first import of the bundle in a fresh workerd, ms (median of ${startup.edge.samples.length})`, ...all.map((w) => fmt(startup[w].medianMs, 0))],
    ]),
    '',
  );

  const pbkdf2 = Object.entries(modes).map(([mode, m]) => `${fmt(m.pbkdf2.workerCpuMs)} ms CPU under ${SHORT_MODE[mode]} (${fmt(m.pbkdf2.workerWallMs)} ms wall inside the worker)`);
  out.push(`PASSWORD HASH, one PBKDF2-SHA256 verification on its own: ${pbkdf2.join(', ')}; Node/OpenSSL ${fmt(nodePbkdf2Ms)} ms`);
  const scrypt = Object.entries(modes)
    .filter(([, m]) => m.scrypt)
    .map(([mode, m]) => `${fmt(m.scrypt.workerCpuMs)} ms CPU under ${SHORT_MODE[mode]} (${fmt(m.scrypt.workerWallMs)} ms wall inside the worker)`);
  if (scrypt.length) out.push(`PASSWORD HASH, one scrypt N=2^14 r=8 p=5 (edge-auth's default; 16 MiB) on its own: ${scrypt.join(', ')}`);
  out.push('');

  out.push('STORAGE ROUND TRIPS PER REQUEST (counting build under Miniflare; D1 = D1 round trips, of which reads; DO = Durable Object calls)');
  out.push(
    table([
      ['endpoint', 'edge-auth warm', 'edge-auth cold', 'floor warm'],
      ...ENDPOINTS.map((e) => [ENDPOINT_LABELS[e], trips(roundTrips.edge.warm[e]), trips(roundTrips.edge.cold[e]), trips(roundTrips.floor.warm[e])]),
    ]),
  );
  out.push('what edge-auth calls, warm (cold where it differs):');
  for (const e of ENDPOINTS) {
    const warm = callList(roundTrips.edge.warm[e] ?? {});
    const cold = callList(roundTrips.edge.cold[e] ?? {});
    out.push(`  ${ENDPOINT_LABELS[e].padEnd(18)} ${warm}${cold !== warm ? `  (cold: ${cold})` : ''}`);
  }
  out.push('');

  for (const [mode, m] of Object.entries(modes)) {
    const e = m.edge;
    const f = m.floor;
    out.push(`== ${m.name} ==`);
    out.push(`processes, edge-auth: ${describeProcesses(m.processes.edge)}`);
    const flowsPerSecond = (t) => (t.flows.requests / t.flows.wallMs) * 1000;
    const row = (label, a, b, digits = 1, withRatio = true) => [label, fmt(a, digits), fmt(b, digits), withRatio ? fmt(ratio(a, b), 2) : ''];
    out.push(
      table([
        [`FULL FLOWS (${e.flows.requests} per server)`, 'edge-auth', 'floor', 'edge/floor'],
        row('flows/s', flowsPerSecond(e), flowsPerSecond(f)),
        ...[50, 95, 99].map((p) => row(`flow latency p${p}, ms`, percentile(e.flowRecorder.flowLatency, p), percentile(f.flowRecorder.flowLatency, p))),
        row('CPU per flow, worker process, ms', perRequest(e.flows, 'workerCpuMs'), perRequest(f.flows, 'workerCpuMs'), 2),
        ...(mode === 'dev'
          ? [
              row('CPU per flow, tooling processes, ms', perRequest(e.flows, 'toolingCpuMs'), perRequest(f.flows, 'toolingCpuMs'), 2),
              row('CPU per flow, whole process tree, ms', perRequest(e.flows, 'workerCpuMs') + perRequest(e.flows, 'toolingCpuMs'), perRequest(f.flows, 'workerCpuMs') + perRequest(f.flows, 'toolingCpuMs'), 2),
            ]
          : []),
        row('CPU per flow, this driver (client side), ms', perRequest(e.flows, 'driverCpuMs'), perRequest(f.flows, 'driverCpuMs'), 2, false),
        ['errors / duplicate codes (all runs)', errorsOf(e), errorsOf(f), ''],
        ['RSS of the worker process after warm-up / at end / peak, MiB', rssLine(e, 'worker'), rssLine(f, 'worker'), ''],
        ...(mode === 'dev' ? [['RSS of the tooling processes after warm-up / at end / peak, MiB', rssLine(e, 'tooling'), rssLine(f, 'tooling'), '']] : []),
        ...ENDPOINTS.map((endpoint) => [
          `  in flows: ${ENDPOINT_LABELS[endpoint]} p50 / p95 / p99, ms`,
          pcts(e.flowRecorder.latency[endpoint]),
          pcts(f.flowRecorder.latency[endpoint]),
          '',
        ]),
      ]),
    );
    out.push('');
    out.push(
      table([
        ['PER ENDPOINT (phases)', 'requests', 'CPU worker', 'floor', 'ratio', ...(mode === 'dev' ? ['tooling', 'floor'] : []), 'p50 / p95 / p99 ms', 'floor p50 / p95 / p99'],
        ...ENDPOINTS.map((endpoint) => {
          const a = e.phases[endpoint];
          const b = f.phases[endpoint];
          return [
            ENDPOINT_LABELS[endpoint],
            `${a.requests}`,
            fmt(perRequest(a, 'workerCpuMs'), 2),
            fmt(perRequest(b, 'workerCpuMs'), 2),
            fmt(ratio(perRequest(a, 'workerCpuMs'), perRequest(b, 'workerCpuMs')), 2),
            ...(mode === 'dev' ? [fmt(perRequest(a, 'toolingCpuMs'), 2), fmt(perRequest(b, 'toolingCpuMs'), 2)] : []),
            pcts(e.phaseRecorder.latency[endpoint]),
            pcts(f.phaseRecorder.latency[endpoint]),
          ];
        }),
      ]),
    );
    const loginExcess = (t) => perRequest(t.phases.login, 'workerCpuMs') - m.pbkdf2.workerCpuMs;
    out.push(
      `POST /login without its PBKDF2 verification (${fmt(m.pbkdf2.workerCpuMs)} ms): edge-auth ${fmt(loginExcess(e), 2)} ms, floor ${fmt(loginExcess(f), 2)} ms of worker CPU`,
    );
    // Issue 15: a DPoP token request against a Bearer one, same phases, same worker.
    const bearerCpu = perRequest(e.phases.token, 'workerCpuMs');
    const dpopCpu = perRequest(e.dpopToken, 'workerCpuMs');
    out.push(
      `POST /oauth/token with a DPoP proof (ES256): edge-auth ${fmt(dpopCpu, 2)} ms of worker CPU over ${e.dpopToken.requests} requests ` +
        `(p50 / p95 / p99 ${pcts(e.dpopRecorder.latency.token)} ms), against ${fmt(bearerCpu, 2)} ms as Bearer: ${fmt(dpopCpu - bearerCpu, 2)} ms more`,
    );
    out.push('', ...allServersTable(mode, m, roundTrips));
    const messages = [
      ...new Set(
        m.servers.flatMap((which) =>
          [m[which].warmup, m[which].flowRecorder, m[which].phaseRecorder, ...(m[which].dpopRecorder ? [m[which].dpopRecorder] : [])].flatMap((r) =>
            r.errorMessages.map((msg) => `${label(which)}: ${msg}`),
          ),
        ),
      ),
    ];
    if (messages.length) out.push(`errors seen: ${messages.slice(0, 8).join(' | ')}`);
    out.push('');
  }

  if (data.profile) out.push(...profileSection(data.profile), '');

  const targets = evaluateTargets(data);
  out.push('TARGETS (issues 6 and 11)');
  for (const t of targets) out.push(`${t.pass ? 'PASS' : 'FAIL'}  ${t.text}`);
  const pass = targets.every((t) => t.pass);
  out.push('', `${targets.filter((t) => t.pass).length} of ${targets.length} targets pass.`);
  console.log(out.join('\n'));
  return { meta, settings, bundles, startup, roundTrips, modes: summarize(modes), nodePbkdf2Ms, profile, targets, pass };
}

const share = (list, n) =>
  list
    .slice(0, n)
    .map((p) => `${p.name} ${fmt(p.share * 100, 0)}%`)
    .join(', ');

function profileSection(profile) {
  const out = [
    'PROFILE: where the worker isolate\'s time goes (Miniflare, unminified builds, V8 sampling profiler through the inspector;',
    '         self time by source module or package; "(program)" is the runtime itself: HTTP, RPC, storage, serialisation)',
  ];
  for (const endpoint of ENDPOINTS) {
    out.push(ENDPOINT_LABELS[endpoint]);
    for (const which of ['edge', 'floor']) {
      const p = profile[which]?.endpoints[endpoint];
      if (!p) continue;
      const label = which === 'edge' ? 'edge-auth' : 'floor';
      out.push(`  ${label.padEnd(9)} ${fmt(p.totalMs / p.requests, 2)} ms/request sampled: ${share(p.places, 8)}`);
      if (which === 'edge' && p.ownFunctions.length) out.push(`  ${''.padEnd(9)} edge-auth's own code: ${share(p.ownFunctions, 5)}`);
    }
  }
  for (const which of ['edge', 'floor']) {
    const composition = profile.composition[which];
    const total = composition.reduce((n, [, bytes]) => n + bytes, 0);
    out.push(
      `bundle composition, ${which === 'edge' ? 'edge-auth' : 'floor'} (unminified ${fmt(total / 1024, 0)} KiB): ${composition
        .slice(0, 8)
        .map(([name, bytes]) => `${name} ${fmt((bytes / total) * 100, 0)}%`)
        .join(', ')}`,
    );
  }
  return out;
}

/**
 * Every server of the mode side by side (edge-auth, the floor and the peers), each figure with its
 * ratio to the floor's: the full flows, the worker process's CPU per endpoint from the phases, and
 * the storage round trips where a counting build exists (edge-auth and the floor only).
 */
function allServersTable(mode, m, roundTrips) {
  const servers = m.servers;
  const floor = m.floor;
  const fps = (t) => (t.flows.requests / t.flows.wallMs) * 1000;
  const withRatio = (value, floorValue, digits = 1) => `${fmt(value, digits)} (${fmt(ratio(value, floorValue), 2)}x)`;
  const row = (name, get, digits) => [name, ...servers.map((w) => (w === 'floor' ? fmt(get(m[w]), digits) : withRatio(get(m[w]), get(floor), digits)))];
  const rows = [
    [`ALL SERVERS, ${SHORT_MODE[mode]} (x = ratio to the floor)`, ...servers.map(label)],
    row('flows/s', fps),
    row('flow latency p50, ms', (t) => percentile(t.flowRecorder.flowLatency, 50)),
    row('flow latency p99, ms', (t) => percentile(t.flowRecorder.flowLatency, 99)),
    row('CPU per flow, worker process, ms', (t) => perRequest(t.flows, 'workerCpuMs'), 2),
    ...(mode === 'dev' ? [row('CPU per flow, tooling processes, ms', (t) => perRequest(t.flows, 'toolingCpuMs'), 2)] : []),
    ...ENDPOINTS.map((endpoint) => row(`CPU per request, ${ENDPOINT_LABELS[endpoint]} (phases), ms`, (t) => perRequest(t.phases[endpoint], 'workerCpuMs'), 2)),
    ['errors / duplicate codes (all runs)', ...servers.map((w) => errorsOf(m[w]))],
    ['RSS of the worker process after warm-up / at end, MiB', ...servers.map((w) => `${mib(m[w].memoryAfterWarmup.worker)} / ${mib(m[w].memoryEnd.worker)}`)],
    ...ENDPOINTS.map((endpoint) => [
      `storage round trips, warm, ${ENDPOINT_LABELS[endpoint]}`,
      ...servers.map((w) => (SERVERS[w].counting ? trips(roundTrips[w]?.warm[endpoint]) : 'not counted')),
    ]),
  ];
  return [table(rows)];
}

function errorsOf(t) {
  const recorders = [t.warmup, t.flowRecorder, t.phaseRecorder, ...(t.dpopRecorder ? [t.dpopRecorder] : [])];
  return `${recorders.reduce((n, r) => n + r.errors, 0)} / ${recorders.reduce((n, r) => n + r.duplicateCodes, 0)}`;
}

function rssLine(t, role) {
  return `${mib(t.memoryAfterWarmup[role])} / ${mib(t.memoryEnd[role])} / ${fmt(t.memoryEnd[role].peakRssMiB, 0)}`;
}

/** Every target of issue 6 this run can check. */
function evaluateTargets({ bundles, roundTrips, modes }) {
  const targets = [];
  const add = (pass, text) => targets.push({ pass: Boolean(pass), text });

  const runs = Object.values(modes).flatMap((m) => [m.edge, m.floor]).flatMap((t) => [t.warmup, t.flowRecorder, t.phaseRecorder]);
  const errors = runs.reduce((n, r) => n + r.errors, 0) + roundTrips.edge.errors + roundTrips.floor.errors;
  const duplicates = runs.reduce((n, r) => n + r.duplicateCodes, 0);
  add(errors === 0 && duplicates === 0, `errors 0 and duplicate codes 0 in every run: ${errors} errors, ${duplicates} duplicate codes`);

  for (const [mode, m] of Object.entries(modes)) {
    const tag = `[${SHORT_MODE[mode]}]`;
    for (const endpoint of ENDPOINTS) {
      const a = perRequest(m.edge.phases[endpoint], 'workerCpuMs');
      const b = perRequest(m.floor.phases[endpoint], 'workerCpuMs');
      add(a <= LIMITS.cpuRatio * b, `${tag} CPU of ${ENDPOINT_LABELS[endpoint]} <= ${LIMITS.cpuRatio}x the floor's: ${fmt(a, 2)} vs ${fmt(b, 2)} ms (${fmt(ratio(a, b), 2)}x)`);
    }
    const fps = (t) => (t.flows.requests / t.flows.wallMs) * 1000;
    add(fps(m.edge) >= fps(m.floor) / LIMITS.throughputRatio, `${tag} flows/s >= the floor's / ${LIMITS.throughputRatio}: ${fmt(fps(m.edge))} vs ${fmt(fps(m.floor))} (${fmt(ratio(fps(m.edge), fps(m.floor)), 2)}x)`);
    const p99 = (t) => percentile(t.flowRecorder.flowLatency, 99);
    add(p99(m.edge) <= LIMITS.p99Ratio * p99(m.floor), `${tag} p99 flow latency <= ${LIMITS.p99Ratio}x the floor's: ${fmt(p99(m.edge))} vs ${fmt(p99(m.floor))} ms (${fmt(ratio(p99(m.edge), p99(m.floor)), 2)}x)`);
    const flowCpu = (t) => perRequest(t.flows, 'workerCpuMs');
    add(flowCpu(m.edge) <= LIMITS.cpuRatio * flowCpu(m.floor), `${tag} CPU per full flow <= ${LIMITS.cpuRatio}x the floor's: ${fmt(flowCpu(m.edge), 2)} vs ${fmt(flowCpu(m.floor), 2)} ms (${fmt(ratio(flowCpu(m.edge), flowCpu(m.floor)), 2)}x)`);
    // Issue 11: ahead of the Workers peers, with equal hashing, in the same run.
    for (const peer of (m.servers ?? []).filter((which) => which !== 'edge' && which !== 'floor')) {
      add(fps(m.edge) > fps(m[peer]), `${tag} flows/s ahead of ${peer}: ${fmt(fps(m.edge))} vs ${fmt(fps(m[peer]))}`);
      add(p99(m.edge) < p99(m[peer]), `${tag} p99 flow latency ahead of ${peer}: ${fmt(p99(m.edge))} vs ${fmt(p99(m[peer]))} ms`);
    }
    for (const endpoint of ['authorize', 'token']) {
      const cpu = perRequest(m.edge.phases[endpoint], 'workerCpuMs');
      add(cpu <= LIMITS.cheapEndpointCpuMs, `${tag} CPU of ${ENDPOINT_LABELS[endpoint]} well inside the Free plan's ${LIMITS.freePlanCpuMs} ms (<= ${LIMITS.cheapEndpointCpuMs} ms): ${fmt(cpu, 2)} ms`);
    }
  }

  const warm = roundTrips.edge.warm;
  const cold = roundTrips.edge.cold;
  const writes = (r) => (r ? r.d1 - d1Reads(r) : 0);
  add(warm.token?.do === 1 && d1Reads(warm.token) === 0, `POST /oauth/token on a warm isolate: 1 Durable Object call and 0 D1 reads: ${trips(warm.token)}${writes(warm.token) ? ` (${writes(warm.token)} D1 write: ${warm.token.d1Sql})` : ''}`);
  const authorizeReads = Math.max(d1Reads(warm.authorize), d1Reads(cold.authorize));
  add(authorizeReads <= 1, `GET /authorize: at most 1 D1 read per request, cold isolate included: warm ${trips(warm.authorize)}, cold ${trips(cold.authorize)}`);
  add(d1Reads(warm.login) === 1 && warm.login?.do === 1, `POST /login: 1 D1 read + the password hash + 1 Durable Object call: ${trips(warm.login)}`);
  // Issue 11: no storage at all for a warm /authorize, and no D1 write on any sign-in or token path.
  add(warm.authorize && warm.authorize.d1 === 0 && warm.authorize.do === 0, `GET /authorize on a warm isolate: no storage: ${trips(warm.authorize)}`);
  add(['authorize', 'login', 'token'].every((e) => writes(warm[e]) === 0), `no D1 write on /authorize, /login or /oauth/token: ${['authorize', 'login', 'token'].map((e) => `${e} ${writes(warm[e])}`).join(', ')}`);

  add(bundles.edge.wranglerGzipKiB < LIMITS.bundleGzipKiB, `bundle under ${LIMITS.bundleGzipKiB} KiB gzip, minified as wrangler deploy ships it: ${fmt(bundles.edge.wranglerGzipKiB)} KiB`);
  return targets;
}

/** The JSON form: latencies as percentiles, recorders without their raw samples. */
function summarize(modes) {
  const recorder = (r) => ({
    errors: r.errors,
    errorMessages: r.errorMessages,
    duplicateCodes: r.duplicateCodes,
    flowLatencyMs: { p50: percentile(r.flowLatency, 50), p95: percentile(r.flowLatency, 95), p99: percentile(r.flowLatency, 99) },
    latencyMs: Object.fromEntries(
      ENDPOINTS.map((e) => [e, { n: r.latency[e].length, p50: percentile(r.latency[e], 50), p95: percentile(r.latency[e], 95), p99: percentile(r.latency[e], 99) }]),
    ),
  });
  const target = (t) => ({
    flows: t.flows,
    phases: t.phases,
    ...(t.dpopToken && { dpopToken: t.dpopToken, inDpopPhase: recorder(t.dpopRecorder) }),
    warmup: recorder(t.warmup),
    inFlows: recorder(t.flowRecorder),
    inPhases: recorder(t.phaseRecorder),
    memoryAfterWarmup: t.memoryAfterWarmup,
    memoryEnd: t.memoryEnd,
  });
  return Object.fromEntries(
    Object.entries(modes).map(([mode, m]) => [
      mode,
      { name: m.name, servers: m.servers, processes: m.processes, pbkdf2: m.pbkdf2, ...Object.fromEntries(m.servers.map((w) => [w, target(m[w])])) },
    ]),
  );
}

/** The load mode's report and its checks (edge-auth's; the floor's figures are for comparison). */
export function printLoadReport(data) {
  const { settings, load } = data;
  const out = header(data, 'edge-auth benchmark, load mode');
  out.push(`settings: ${settings.loadFlows} full flows at concurrency ${settings.loadConcurrency} after a warm-up of ${Math.max(settings.warmup, settings.loadConcurrency * 10)} flows`, '');
  const targets = [];
  const summary = {};
  for (const [mode, servers] of Object.entries(load)) {
    summary[mode] = {};
    for (const [which, l] of Object.entries(servers)) {
      const r = l.recorder;
      const errors = r.errors + l.warmup.errors;
      const growth = l.afterRun.worker.rssMiB / l.afterWarmup.worker.rssMiB - 1;
      out.push(`== ${which === 'edge' ? 'edge-auth' : 'floor'}: ${l.mode} ==`);
      out.push(`processes: ${describeProcesses(l.processes)}`);
      out.push(
        table([
          ['flows', `${l.totals.requests} (${r.flowLatency.length} complete)`],
          ['flows/s', fmt((l.totals.requests / l.totals.wallMs) * 1000)],
          ['flow latency p50 / p95 / p99, ms', pcts(r.flowLatency)],
          ['CPU per flow, worker process / tooling, ms', `${fmt(perRequest(l.totals, 'workerCpuMs'), 2)} / ${fmt(perRequest(l.totals, 'toolingCpuMs'), 2)}`],
          ['errors / duplicate codes', `${errors} / ${r.duplicateCodes}`],
          ['RSS of the worker process after warm-up / after the run / peak, MiB', `${mib(l.afterWarmup.worker)} / ${mib(l.afterRun.worker)} / ${fmt(l.afterRun.worker.peakRssMiB, 0)}`],
          ['  at each tenth of the run, MiB', l.rssCurve.map((v) => fmt(v, 0)).join(' ')],
          [`  ${LOAD_SETTLE_S} s after the run, MiB (for reading only)`, mib(l.afterSettle.worker)],
          ['RSS of the tooling after warm-up / after the run, MiB', `${mib(l.afterWarmup.tooling)} / ${mib(l.afterRun.tooling)}`],
          ...ENDPOINTS.map((e) => [`  ${ENDPOINT_LABELS[e]} p50 / p95 / p99, ms`, pcts(r.latency[e])]),
        ]),
      );
      if (r.errorMessages.length) out.push(`errors seen: ${r.errorMessages.slice(0, 5).join(' | ')}`);
      out.push('');
      summary[mode][which] = {
        mode: l.mode,
        totals: l.totals,
        afterWarmup: l.afterWarmup,
        afterRun: l.afterRun,
        afterSettle: l.afterSettle,
        rssCurveMiB: l.rssCurve,
        errors,
        duplicateCodes: r.duplicateCodes,
        flowLatencyMs: { p50: percentile(r.flowLatency, 50), p95: percentile(r.flowLatency, 95), p99: percentile(r.flowLatency, 99) },
      };
      if (which !== 'edge') continue;
      const tag = `[load, ${SHORT_MODE[mode]}]`;
      targets.push({ pass: r.flowLatency.length === settings.loadFlows, text: `${tag} all ${settings.loadFlows} flows completed: ${r.flowLatency.length}` });
      targets.push({ pass: errors === 0, text: `${tag} zero errors: ${errors}` });
      targets.push({ pass: r.duplicateCodes === 0, text: `${tag} zero duplicate codes: ${r.duplicateCodes}` });
      targets.push({
        pass: growth <= LIMITS.loadRssGrowth,
        text: `${tag} worker RSS after the run within ${LIMITS.loadRssGrowth * 100}% of after warm-up: ${mib(l.afterWarmup.worker)} -> ${mib(l.afterRun.worker)} MiB (${growth >= 0 ? '+' : ''}${fmt(growth * 100)}%)`,
      });
    }
  }
  out.push('TARGETS (issue 6, load mode)');
  for (const t of targets) out.push(`${t.pass ? 'PASS' : 'FAIL'}  ${t.text}`);
  const pass = targets.every((t) => t.pass);
  console.log(out.join('\n'));
  return { meta: data.meta, settings, edge: data.edge, load: summary, targets, pass };
}
