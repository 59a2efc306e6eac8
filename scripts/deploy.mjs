// @ts-check
// `npm run deploy`: checks that wrangler.toml is ready for production (scripts/deploy-checks.mjs),
// then runs `wrangler deploy` with the arguments given. `npm run deploy -- --check` only checks.
import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { deployFindings, formatFindings } from './deploy-checks.mjs';

/** The value of `--name value` or `--name=value` (or a short alias), as wrangler reads it. */
function flagValue(/** @type {string[]} */ args, /** @type {string[]} */ names) {
  for (const [index, arg] of args.entries()) {
    const [flag, inline] = arg.split(/=(.*)/s);
    if (names.includes(flag ?? '')) return inline ?? args[index + 1];
  }
  return undefined;
}

const args = process.argv.slice(2);
const checkOnly = args.includes('--check');
const wranglerArgs = args.filter((arg) => arg !== '--check');

// wrangler's own reading (environment inheritance, CLOUDFLARE_ENV), so the checks see what deploy would.
const config = unstable_readConfig({ config: flagValue(wranglerArgs, ['--config', '-c']), env: flagValue(wranglerArgs, ['--env', '-e']) });
const findings = deployFindings(config);
if (findings.length > 0) console.error(formatFindings(findings));
if (findings.some((f) => f.level === 'error')) {
  console.error(`\nnpm run deploy: not deploying ${relative(process.cwd(), config.configPath ?? 'wrangler.toml')} as it is; fix the errors above, then run npm run deploy -- --check.`);
  process.exit(1);
}
console.log(`Deploy checks passed for ${config.name}${config.targetEnvironment ? ` (env ${config.targetEnvironment})` : ''}.`);
if (checkOnly) {
  console.log('Not checked here (needs your Cloudflare account): the remote migrations (npx wrangler d1 migrations apply DB --remote) and the audit queue (npx wrangler queues create edge-auth-audit).');
  process.exit(0);
}

const deploy = spawn('wrangler', ['deploy', ...wranglerArgs], { stdio: 'inherit' });
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => deploy.kill(signal));
deploy.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
