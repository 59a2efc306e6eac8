// @ts-check
// `npm run dev:mcp`: serves the example MCP server (examples/mcp-server) at http://127.0.0.1:8788/mcp,
// protected by the edge-auth that `npm run dev` serves where EDGE_AUTH_URL says (default
// http://127.0.0.1:8787). The dev seed registers http://127.0.0.1:8788/mcp as an API and the public
// client `mcp-client` for it. `npm run dev:mcp -- <flags>` passes the flags to `wrangler dev`.
import { spawn } from 'node:child_process';
import { devAddressOrExit } from './dev-address.mjs';

const MCP_PORT = 8788;

const edgeAuth = devAddressOrExit(process.env);
if (edgeAuth.port === MCP_PORT) {
  console.error(`EDGE_AUTH_URL (${edgeAuth.url}) is the MCP server's own port ${MCP_PORT}: run edge-auth elsewhere (npm run dev serves http://127.0.0.1:8787).`);
  process.exit(1);
}
const mcpUrl = `http://127.0.0.1:${MCP_PORT}/mcp`;

const args = [
  'dev',
  '--config', 'examples/mcp-server/wrangler.toml',
  '--ip', '127.0.0.1',
  '--port', String(MCP_PORT),
  '--var', `EDGE_AUTH_URL:${edgeAuth.url}`,
  '--var', `MCP_SERVER_URL:${mcpUrl}`,
  ...process.argv.slice(2),
];
console.log(`MCP server: ${mcpUrl} (tokens from edge-auth at ${edgeAuth.url}; start it with npm run dev)`);
const child = spawn('wrangler', args, { stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' } });
child.on('exit', (code) => process.exit(code ?? 1));
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => child.kill(signal));
