import { fileURLToPath } from 'node:url';
import { unstable_startWorker } from 'wrangler';
import { freePort } from './worker-server';

const CONFIG = fileURLToPath(new URL('../../examples/mcp-server/wrangler.toml', import.meta.url));

/** The example MCP server (examples/mcp-server), served by wrangler over real HTTP. */
export interface McpWorker {
  /** `http://127.0.0.1:<port>/mcp`: where it listens and the resource its tokens are for. */
  url: string;
  close(): Promise<void>;
}

/** Starts the example on a free 127.0.0.1 port, trusting the edge-auth at `edgeAuthUrl`, as `npm run dev:mcp` does. */
export async function startMcpServer(edgeAuthUrl: string): Promise<McpWorker> {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/mcp`;
  const plain = (value: string) => ({ type: 'plain_text', value }) as const;
  const worker = await unstable_startWorker({
    config: CONFIG,
    bindings: { EDGE_AUTH_URL: plain(edgeAuthUrl), MCP_SERVER_URL: plain(url) },
    sendMetrics: false,
    dev: { server: { hostname: '127.0.0.1', port }, remote: false, inspector: false, watch: false, logLevel: 'warn' },
  });
  try {
    await worker.ready;
  } catch (error) {
    await worker.dispose();
    throw error;
  }
  return { url, close: () => worker.dispose() };
}
