// @ts-check
// `npm run dev`: applies local D1 migrations, seeds the dev data (idempotent), then serves the worker
// where EDGE_AUTH_URL (or PORT) says, default http://127.0.0.1:8787, with the issuer set to that
// address, and prints what to do next once it answers. `npm run dev -- <flags>` passes the flags
// to `wrangler dev`.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { devAddressOrExit, edgeAuthUrlPrefix } from './dev-address.mjs';
import { demoSignInLink, devBanner } from './dev-banner.mjs';

/** Node's default inspector port, where wrangler starts looking too; it probes the next ten. */
const INSPECTOR_PORT = 9229;
const PORTS_TO_PROBE = 10;
/** How long to wait for the first answer before saying so (a first start bundles and migrates). */
const READY_TIMEOUT_MS = 120_000;
/** Flags this script sets from EDGE_AUTH_URL: given again, the issuer would not match the address. */
const ADDRESS_FLAGS = /^--(ip|port|local-protocol)(=|$)/;

// Offline: no metrics, and no download of the `Request.cf` object (a placeholder is used locally).
const offline = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
// Non-interactive for the set-up steps: `migrations apply` would otherwise ask for confirmation.
const quiet = { ...process.env, ...offline, CI: 'true' };

/** @param {string[]} args */
function step(args) {
  const result = spawnSync('wrangler', args, { stdio: ['ignore', 'pipe', 'inherit'], env: quiet, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? '');
    console.error(`wrangler ${args.join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

/**
 * Whether something already listens on ip:port (binding it fails with EADDRINUSE).
 * @param {string} ip
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function isPortFree(ip, port) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (/** @type {NodeJS.ErrnoException} */ error) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    probe.listen({ host: ip, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * The first free port of `from` and the few after it on all of `ips`, else one the system picks.
 * @param {string[]} ips
 * @param {number} from
 */
async function freePort(ips, from) {
  for (let port = from; port < from + PORTS_TO_PROBE && port <= 65535; port++) {
    // One after the other: on Linux a probe of the wildcard collides with one of 127.0.0.1.
    let free = true;
    for (const ip of ips) free &&= await isPortFree(ip, port);
    if (free) return port;
  }
  const probe = createServer();
  await new Promise((resolve) => probe.listen({ host: ips[0], port: 0 }, () => resolve(undefined)));
  const address = probe.address();
  await new Promise((resolve) => probe.close(() => resolve(undefined)));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * The issuer edge-auth reports at `url`, if edge-auth answers there.
 * @param {string} url
 * @returns {Promise<string | undefined>}
 */
async function answeringIssuer(url) {
  try {
    const response = await fetch(`${url}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(1_500) });
    const metadata = response.ok ? await response.json() : undefined;
    return typeof metadata?.issuer === 'string' ? metadata.issuer : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why the address cannot be served and what to run instead, or nothing when its port is free.
 * @param {import('./dev-address.mjs').DevAddress} address
 */
async function busyPortMessage(address) {
  if (await isPortFree(address.ip, address.port)) return undefined;
  const ours = (await answeringIssuer(address.url)) === address.url;
  const next = await freePort([address.ip], address.port + 1);
  const host = address.ip.includes(':') ? `[${address.ip}]` : address.ip;
  const nextUrl = `http://${host}:${next}`;
  const byPort = address.ip === '127.0.0.1' ? `PORT=${next} npm run dev  (or ` : '';
  return [
    `edge-auth: cannot serve ${address.url}: port ${address.port} is already in use` +
      (ours ? ', by an edge-auth that is already running (`npm run dev` in another terminal?).' : ', by another program.'),
    ours
      ? `Use that one${edgeAuthUrlPrefix(address.url) ? ` (give the tools ${edgeAuthUrlPrefix(address.url).trim()})` : ''}, or stop it, or start another one on a free port:`
      : 'Start on a free port instead:',
    `  ${byPort}EDGE_AUTH_URL=${nextUrl} npm run dev${byPort ? ')' : ''}`,
    'and give the tools the same address:',
    `  EDGE_AUTH_URL=${nextUrl} npm run admin -- clients list`,
    `  EDGE_AUTH_URL=${nextUrl} node examples/native-app/sign-in.mjs --open`,
  ].join('\n');
}

/**
 * Resolves once the worker serves its discovery document with our issuer; false after the timeout.
 * @param {string} url
 * @param {() => boolean} running
 */
async function waitUntilReady(url, running) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (running() && Date.now() < deadline) {
    if ((await answeringIssuer(url)) === url) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

const address = devAddressOrExit(process.env, 'edge-auth: ', 2);
const passed = process.argv.slice(2);
const conflicting = passed.findIndex((arg) => ADDRESS_FLAGS.test(arg));
if (conflicting !== -1) {
  const [flag, value = passed[conflicting + 1]] = String(passed[conflicting]).split('=');
  const port = flag === '--port' && /^\d+$/.test(value ?? '') ? value : '8788';
  console.error(`edge-auth: ${flag} is set from EDGE_AUTH_URL, so that the issuer matches the address: run EDGE_AUTH_URL=http://127.0.0.1:${port} npm run dev instead.`);
  process.exit(2);
}
const busy = await busyPortMessage(address);
if (busy) {
  console.error(busy);
  process.exit(1);
}

step(['d1', 'migrations', 'apply', 'DB', '--local']);
step(['d1', 'execute', 'DB', '--local', '--file', 'scripts/dev-seed.sql']);
console.log(`edge-auth: local D1 migrated and seeded; serving ${address.url}`);

// Left to itself, wrangler has failed to start with "Address already in use" when another wrangler
// held the inspector's default port. A port seen free here, on the loopback address workerd binds
// and on the wildcard another debugger may hold (macOS lets both bind), is given explicitly.
const inspectorPort = await freePort(['127.0.0.1', '0.0.0.0'], INSPECTOR_PORT);
const inspector = passed.some((arg) => /^--inspector-port(=|$)/.test(arg)) ? [] : ['--inspector-port', String(inspectorPort)];
const args = [
  'dev',
  // The deployed worker plus the development pages (/ and /dev/mailbox), which it does not contain.
  'src/dev-worker.ts',
  // DEV_HOME_PAGE turns on the page at / (src/routes/dev-home.ts); DEV_LOOPBACK_FETCH lets a client
  // on this machine serve its metadata document on 127.0.0.1; CLIENT_REGISTRATION:open lets MCP
  // clients register themselves (RFC 7591) on a fresh clone. None of them goes in wrangler.toml.
  ...['--var', `ISSUER:${address.url}`, 'DEV_HOME_PAGE:true', 'DEV_MAILBOX:true', 'DEV_LOOPBACK_FETCH:true', 'CLIENT_REGISTRATION:open'],
  ...['--ip', address.ip, '--port', String(address.port)],
  ...inspector,
  ...passed,
];
const dev = spawn('wrangler', args, { stdio: 'inherit', env: { ...offline, ...process.env } });
let exited = false;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code, signal) => {
  exited = true;
  process.exit(code ?? (signal ? 1 : 0));
});

if (await waitUntilReady(address.url, () => !exited)) {
  console.log(devBanner(address.url, demoSignInLink(address.url)));
} else if (!exited) {
  console.error(`edge-auth: ${address.url} has not answered within ${READY_TIMEOUT_MS / 1000} s; wrangler's output above should say why.`);
}
