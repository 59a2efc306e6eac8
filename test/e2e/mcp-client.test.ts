/**
 * The official MCP TypeScript SDK's client, as an agent runs it, against the example MCP server
 * (examples/mcp-server) and edge-auth, both real workers over HTTP (MCP authorization, revision
 * 2025-11-25): the 401 and its challenge, discovery (RFC 9728, then RFC 8414), registration, PKCE with
 * `resource` (RFC 8707), the user's sign-in and consent driven as a browser would, the tool call, a
 * refresh; and the resource server refusing a token for another resource.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpServer, type McpWorker } from './mcp-server';
import { TEST_TLS_DIR_ENV } from './test-ca';
import { startWorkerServer, type WorkerServer } from './worker-server';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'demo-password';
const ADMIN_BASIC = `Basic ${btoa('dev-admin:dev-admin-secret')}`;
/** The app's loopback redirect (RFC 8252 section 7.3); the browser is driven by hand, so nothing listens. */
const REDIRECT_URI = 'http://127.0.0.1:53682/callback';

let edgeAuth: WorkerServer;
let mcp: McpWorker;
/** Serves the agent's Client ID Metadata Document over https (test/e2e/test-ca.ts), when openssl made a certificate. */
let documents: Server | undefined;
const TLS_DIR = process.env[TEST_TLS_DIR_ENV];

beforeAll(async () => {
  // Open registration, as `npm run dev` runs, so an agent without a client_id can register (RFC 7591).
  // DEV_LOOPBACK_FETCH: the metadata document is on 127.0.0.1, as `npm run dev` allows.
  edgeAuth = await startWorkerServer({ vars: { CLIENT_REGISTRATION: 'open', DEV_LOOPBACK_FETCH: 'true' } });
  mcp = await startMcpServer(edgeAuth.issuer);
  // The MCP server's URL is its resource: an API in edge-auth, as an operator registers it.
  await management('POST', '/apis', { identifier: mcp.url, name: 'Example MCP server', scopes: ['mcp:tools'] });
});

afterAll(async () => {
  await new Promise((resolve) => (documents ? documents.close(resolve) : resolve(undefined)));
  await mcp?.close();
  await edgeAuth?.close();
});

async function management(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const token = await fetch(`${edgeAuth.issuer}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: ADMIN_BASIC, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  const response = await fetch(`${edgeAuth.issuer}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Registration: how the agent gets a client_id. Swappable: Client ID Metadata Documents and dynamic
// registration plug in here, with the same flow after them.
// ---------------------------------------------------------------------------------------------

/**
 * Prepares the agent's provider before its first request: sets `information` (a client known in
 * advance), or `clientMetadataUrl` (a Client ID Metadata Document), or leaves both for the SDK to
 * register dynamically (RFC 7591) through `saveClientInformation`.
 */
type Registration = (provider: AgentProvider) => Promise<void>;

/** A public client created by the operator through the Management API, for the MCP server's resource. */
const preRegistered: Registration = async (provider) => {
  const client = await management('POST', '/clients', {
    name: provider.clientMetadata.client_name,
    type: 'public',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'offline_access', 'mcp:tools'],
    audiences: [mcp.url],
  });
  provider.information = { client_id: client.id as string };
};

/**
 * No client_id in advance: the SDK finds `registration_endpoint` in the metadata and registers the
 * provider's clientMetadata there (RFC 7591), saving what edge-auth answers.
 */
const dynamicallyRegistered: Registration = async () => undefined;

/**
 * A Client ID Metadata Document (the MCP specification's preferred registration): the client_id is
 * the https URL of a JSON document the agent publishes; edge-auth fetches and checks it. Here it is
 * served by an https server in this test, with a certificate of the run's test CA.
 */
const metadataDocument: Registration = async (provider) => {
  const key = readFileSync(join(TLS_DIR!, 'server.key'));
  const cert = readFileSync(join(TLS_DIR!, 'server.pem'));
  let url = '';
  documents = createServer({ key, cert }, (request, response) => {
    if (request.url !== '/agent/client.json') return response.writeHead(404).end();
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=300' });
    response.end(JSON.stringify({ client_id: url, ...provider.clientMetadata }));
  });
  await new Promise<void>((resolve) => documents!.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(documents.address() as AddressInfo).port}/agent/client.json`;
  provider.clientMetadataUrl = url;
};

// ---------------------------------------------------------------------------------------------
// The agent's OAuthClientProvider: in memory, with the browser step recorded for the test to drive.
// ---------------------------------------------------------------------------------------------

class AgentProvider implements OAuthClientProvider {
  information: OAuthClientInformationMixed | undefined;
  clientMetadataUrl: string | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;

  readonly clientMetadata: OAuthClientMetadata = {
    client_name: 'MCP e2e agent',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };

  get redirectUrl(): string {
    return REDIRECT_URI;
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** Every request the SDK's client makes, in order, as `METHOD url`; bodies of token requests too. */
function recordingFetch(log: string[], tokenBodies: URLSearchParams[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    log.push(`${request.method} ${request.url}`);
    if (request.url.endsWith('/oauth/token')) tokenBodies.push(new URLSearchParams(await request.clone().text()));
    return fetch(request);
  };
}

// ---------------------------------------------------------------------------------------------
// The browser: the user signs in on edge-auth's login page and allows the app on the consent page.
// ---------------------------------------------------------------------------------------------

const cookieOf = (response: Response, name: string) => response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))!.split(';')[0]!;
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

/** Opens the authorization URL, signs in, allows if asked; returns where edge-auth sends the browser back. */
async function browserSignIn(authorizationUrl: URL): Promise<URL> {
  const authorized = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(authorized.status).toBe(302);
  expect(authorized.headers.get('Location')).toBe('/login');
  const loginCookie = cookieOf(authorized, 'edge-auth-login');
  const loginPage = await (await fetch(`${edgeAuth.issuer}/login`, { headers: { Cookie: loginCookie } })).text();
  let response = await fetch(`${edgeAuth.issuer}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: loginCookie },
    body: new URLSearchParams({ request_id: hidden(loginPage, 'request_id')!, email: DEMO_EMAIL, password: DEMO_PASSWORD }),
  });
  expect(response.status).toBe(303);
  if (response.headers.get('Location') === '/consent') {
    // prompt=consent (the SDK sends it with offline_access): the user allows the app.
    const cookie = cookieOf(response, 'edge-auth-login');
    const consentPage = await (await fetch(`${edgeAuth.issuer}/consent`, { headers: { Cookie: cookie } })).text();
    expect(consentPage).toContain('MCP e2e agent');
    response = await fetch(`${edgeAuth.issuer}/consent`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: cookie },
      body: new URLSearchParams({ request_id: hidden(consentPage, 'request_id')!, decision: 'allow' }),
    });
    expect(response.status).toBe(303);
  }
  const location = response.headers.get('Location')!;
  expect(location.startsWith(`${REDIRECT_URI}?`), location).toBe(true);
  const callback = new URL(location);
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
  return callback;
}

// ---------------------------------------------------------------------------------------------

/** The whole agent's run for one registration method: returns what it saw. */
async function agentRun(register: Registration) {
  const provider = new AgentProvider();
  await register(provider);
  const log: string[] = [];
  const tokenBodies: URLSearchParams[] = [];
  const fetchFn = recordingFetch(log, tokenBodies);
  const client = new Client({ name: 'mcp-e2e-agent', version: '1.0.0' });

  // The first attempt meets the 401, discovers, and sends the user to edge-auth.
  const first = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider, fetch: fetchFn });
  await expect(client.connect(first)).rejects.toThrow(UnauthorizedError);
  expect(provider.authorizationUrl).toBeDefined();
  const callback = await browserSignIn(provider.authorizationUrl!);
  expect(callback.searchParams.get('iss')).toBe(edgeAuth.issuer);
  await first.finishAuth(callback.searchParams.get('code')!);

  const second = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider, fetch: fetchFn });
  await client.connect(second);
  return { provider, client, log, tokenBodies, transport: second };
}

/** The agent's whole journey, for one way of registering (CIMD and DCR join preRegistered here). */
const describeAgent = (registration: string, register: Registration, registers: boolean) =>
  describe(`the official MCP client against the example MCP server and edge-auth (${registration})`, () => {
    let run: Awaited<ReturnType<typeof agentRun>>;

    beforeAll(async () => {
      run = await agentRun(register);
    });

    afterAll(async () => {
      await run?.client.close();
    });

    it('discovers from the 401: protected-resource metadata (RFC 9728), then the authorization server (RFC 8414)', () => {
      const origin = new URL(mcp.url).origin;
      const discovery = run.log.filter((line) => line.includes('/.well-known/'));
      expect(discovery[0]).toBe(`GET ${origin}/.well-known/oauth-protected-resource/mcp`);
      expect(discovery[1]).toBe(`GET ${edgeAuth.issuer}/.well-known/oauth-authorization-server`);
      expect(run.log[0]).toBe(`POST ${mcp.url}`);
    });

    it(registers ? 'registers itself at the registration endpoint first (RFC 7591)' : 'uses the client_id it was given, registering nothing', () => {
      const registrations = run.log.filter((line) => line === `POST ${edgeAuth.issuer}/register`);
      expect(registrations).toHaveLength(registers ? 1 : 0);
      expect(run.provider.information?.client_id).toBeTruthy();
    });

    it('asks for the challenge’s scope with PKCE S256 and resource = the MCP server', () => {
      const url = run.provider.authorizationUrl!;
      expect(url.origin + url.pathname).toBe(`${edgeAuth.issuer}/authorize`);
      expect(url.searchParams.get('resource')).toBe(mcp.url);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('scope')).toBe('mcp:tools offline_access');
      const redemption = run.tokenBodies[0]!;
      expect(redemption.get('grant_type')).toBe('authorization_code');
      expect(redemption.get('resource')).toBe(mcp.url);
      expect(redemption.get('code_verifier')).toBeTruthy();
    });

    it('gets an access token for the MCP server, with a refresh token', () => {
      const claims = decodeJwt(run.provider.saved!.access_token);
      expect(claims.aud).toBe(mcp.url);
      expect(claims.iss).toBe(edgeAuth.issuer);
      expect(claims.scope).toBe('mcp:tools offline_access');
      expect(run.provider.saved!.refresh_token).toBeTruthy();
    });

    it('calls a tool with the token: whoami sees the user and the scopes', async () => {
      const tools = await run.client.listTools();
      expect(tools.tools.map((tool) => tool.name).sort()).toEqual(['echo', 'whoami']);
      const result = await run.client.callTool({ name: 'whoami', arguments: {} });
      const claims = decodeJwt(run.provider.saved!.access_token);
      expect(result.structuredContent).toEqual({ subject: claims.sub, client_id: run.provider.information!.client_id, scopes: ['mcp:tools', 'offline_access'] });
      const echo = await run.client.callTool({ name: 'echo', arguments: { message: 'hello' } });
      expect(echo.content).toEqual([{ type: 'text', text: 'hello' }]);
    });

    it('refreshes when the access token is refused, with the same resource, and the call succeeds', async () => {
      const before = run.provider.saved!;
      // The access token is lost (as if it expired); the refresh token is kept.
      run.provider.saved = { ...before, access_token: 'expired' };
      const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: run.provider, fetch: recordingFetch(run.log, run.tokenBodies) });
      const client = new Client({ name: 'mcp-e2e-agent', version: '1.0.0' });
      await client.connect(transport);
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      expect((result.structuredContent as { scopes: string[] }).scopes).toContain('mcp:tools');
      const refresh = run.tokenBodies.at(-1)!;
      expect(refresh.get('grant_type')).toBe('refresh_token');
      expect(refresh.get('resource')).toBe(mcp.url);
      expect(run.provider.saved!.refresh_token).not.toBe(before.refresh_token);
      expect(decodeJwt(run.provider.saved!.access_token).aud).toBe(mcp.url);
      await client.close();
    });
  });

describeAgent('a client registered by the operator', preRegistered, false);
describeAgent('a client that registered itself', dynamicallyRegistered, true);
if (TLS_DIR) describeAgent('a client known by its metadata document', metadataDocument, false);
else console.warn('test/e2e/mcp-client.test.ts: no openssl, so the Client ID Metadata Document run is skipped');

describe('the MCP server refuses what is not its own', () => {
  it('is refused a token for another resource: 401 invalid_token with resource_metadata', async () => {
    // An access token edge-auth issued for the Management API, not for this server.
    const token = await fetch(`${edgeAuth.issuer}/oauth/token`, {
      method: 'POST',
      headers: { Authorization: ADMIN_BASIC, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const response = await fetch(mcp.url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('WWW-Authenticate')!;
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain(`resource_metadata="${new URL(mcp.url).origin}/.well-known/oauth-protected-resource/mcp"`);
  });
});
