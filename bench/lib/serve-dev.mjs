// Serves one worker the way `wrangler dev` does (wrangler's unstable_startWorker: the same dev
// server, proxy worker and local runtime), in its own process so that its tooling CPU can be told
// apart from the benchmark driver's. File watching is off: a source edit mid-run must not reload
// the worker under measurement.
//
//   node bench/lib/serve-dev.mjs '<json options>'
//
// Prints `READY <url>` once the worker answers, then serves until stdin closes or SIGTERM.

// Offline before wrangler loads: no metrics, no download of the `Request.cf` object.
Object.assign(process.env, {
  CI: 'true',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
});
const { unstable_startWorker } = await import('wrangler');

const options = JSON.parse(process.argv[2] ?? '{}');
const START_TIMEOUT_MS = 120_000;

const startTimer = setTimeout(() => {
  console.error('serve-dev: the worker did not start in time');
  process.exit(1);
}, START_TIMEOUT_MS);

const worker = await unstable_startWorker({
  config: options.config,
  ...(options.entrypoint ? { entrypoint: options.entrypoint } : {}),
  ...(options.compatibilityDate ? { compatibilityDate: options.compatibilityDate } : {}),
  ...(options.compatibilityFlags ? { compatibilityFlags: options.compatibilityFlags } : {}),
  bindings: Object.fromEntries(Object.entries(options.vars ?? {}).map(([name, value]) => [name, { type: 'plain_text', value }])),
  sendMetrics: false,
  dev: {
    server: { hostname: '127.0.0.1', port: options.port },
    persist: options.persist,
    remote: false,
    inspector: false,
    watch: false,
    logLevel: 'warn',
  },
});

let closing = false;
async function close(code) {
  if (closing) return;
  closing = true;
  const hardStop = setTimeout(() => process.exit(code), 15_000);
  hardStop.unref();
  try {
    await worker.dispose();
  } finally {
    process.exit(code);
  }
}

try {
  await worker.ready;
  const url = await worker.url;
  // One request through the proxy, so the worker's own runtime is up before the bench starts.
  await worker.fetch(new URL('/.well-known/bench-ready', url), { signal: AbortSignal.timeout(60_000) }).then((r) => r.arrayBuffer());
  clearTimeout(startTimer);
  process.stdout.write(`READY ${url.href}\n`);
} catch (error) {
  console.error(`serve-dev: ${error?.stack ?? error}`);
  await close(1);
}

process.stdin.on('end', () => void close(0));
process.stdin.on('close', () => void close(0));
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => void close(0));
