import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** The scope every tool of this server needs: an API scope registered in edge-auth. */
export const TOOLS_SCOPE = 'mcp:tools';

const text = (value: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(value) }], structuredContent: value as Record<string, unknown> });

/** Two small tools: who the token says is calling, and an echo. */
export function registerTools(server: McpServer): void {
  server.registerTool(
    'whoami',
    {
      description: 'The signed-in user (the access token’s subject), the app, and the scopes the token holds.',
      outputSchema: { subject: z.string(), client_id: z.string(), scopes: z.array(z.string()) },
    },
    (extra) => {
      const auth = extra.authInfo!;
      return text({ subject: String(auth.extra?.subject), client_id: auth.clientId, scopes: auth.scopes });
    },
  );
  server.registerTool(
    'echo',
    { description: 'Returns the message it is given.', inputSchema: { message: z.string().max(1000) } },
    ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  );
}
