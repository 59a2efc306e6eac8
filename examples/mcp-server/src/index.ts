import { protectedResource, protectedResourceMetadata, requireAccessToken, type AccessTokenVariables, type ProtectedResource } from '@edge-auth/resource-server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import { Hono } from 'hono';
import { registerTools, TOOLS_SCOPE } from './tools';

interface Env {
  EDGE_AUTH_URL: string;
  MCP_SERVER_URL: string;
}

/**
 * An MCP server (Streamable HTTP, MCP revision 2025-11-25) whose every request needs an access token
 * from edge-auth for this server (`aud` = MCP_SERVER_URL) with the `mcp:tools` scope. Stateless: each
 * request gets its own server and transport, as Workers may run each request in another isolate.
 */
let kit: ProtectedResource | undefined;
function kitFor(env: Env): ProtectedResource {
  kit ??= protectedResource({
    issuer: env.EDGE_AUTH_URL.replace(/\/$/, ''),
    resource: env.MCP_SERVER_URL,
    scopesSupported: [TOOLS_SCOPE],
    // MCP clients request the challenge's scope as is: with offline_access they get a refresh token.
    extraChallengeScopes: ['offline_access'],
    resourceName: 'edge-auth example MCP server',
  });
  return kit;
}

type AppEnv = { Bindings: Env; Variables: AccessTokenVariables };
const app = new Hono<AppEnv>();

app.use((c, next) => protectedResourceMetadata(kitFor(c.env))(c, next));

app.all('/mcp', (c, next) => requireAccessToken<AppEnv>(kitFor(c.env), { scopes: [TOOLS_SCOPE] })(c, next), async (c) => {
  const token = c.var.accessToken;
  // ajv, the SDK's default validator, generates code at run time, which Workers do not allow.
  const server = new McpServer({ name: 'edge-auth-example', version: '0.1.0' }, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
  registerTools(server);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  return transport.handleRequest(c.req.raw, {
    authInfo: { token: token.token, clientId: token.clientId, scopes: token.scopes, expiresAt: token.claims.exp, resource: new URL(kitFor(c.env).resource), extra: { subject: token.subject } },
  });
});

app.get('/', (c) => c.text('An MCP server behind edge-auth: connect an MCP client to /mcp.\n'));

export default app;
