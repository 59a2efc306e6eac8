// `npm run dev`: applies local D1 migrations, seeds the dev data (idempotent), then serves the
// worker on 127.0.0.1:$PORT (default 8787) with the issuer set to that address.
import { spawn, spawnSync } from 'node:child_process';

const port = process.env.PORT ?? '8787';
if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
  console.error(`PORT must be a TCP port number, not ${JSON.stringify(port)}`);
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
// Offline: no metrics, and no download of the `Request.cf` object (a placeholder is used locally).
const offline = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
// Non-interactive for the set-up steps: `migrations apply` would otherwise ask for confirmation.
const quiet = { ...process.env, ...offline, CI: 'true' };

function step(args) {
  const result = spawnSync('wrangler', args, { stdio: ['ignore', 'pipe', 'inherit'], env: quiet, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? '');
    console.error(`wrangler ${args.join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

step(['d1', 'migrations', 'apply', 'DB', '--local']);
step(['d1', 'execute', 'DB', '--local', '--file', 'scripts/dev-seed.sql']);
console.log(`edge-auth: local D1 migrated and seeded; serving ${issuer}`);

const dev = spawn('wrangler', ['dev', '--ip', '127.0.0.1', '--port', port, '--var', `ISSUER:${issuer}`], {
  stdio: 'inherit',
  env: { ...offline, ...process.env },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
