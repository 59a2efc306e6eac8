/** Dynamic client registration (RFC 7591) against the worker under test, with the policy as vars. */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import worker from '../../src/index';
import { ISSUER } from './fixtures';
import { freshIp } from './values';

export const OPEN = { CLIENT_REGISTRATION: 'open' };
export const INITIAL_ACCESS_TOKEN = 'initial-access-token-of-these-tests-0123456789';
export const TOKEN_POLICY = { CLIENT_REGISTRATION: 'token', CLIENT_REGISTRATION_TOKEN: INITIAL_ACCESS_TOKEN };
export const REGISTRATION_ERRORS: ReadonlySet<string> = new Set(['invalid_redirect_uri', 'invalid_client_metadata']);
export const LOOPBACK = 'http://127.0.0.1:49200/callback';
export const MCP_CLIENT = {
  client_name: 'Example MCP Client',
  redirect_uris: [LOOPBACK, 'https://mcp-client.example.com/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

/** The worker with these vars, as a deployment with them would run; work after the response is awaited. */
export async function callWith(vars: Record<string, string>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(new URL(path, ISSUER), { redirect: 'manual', ...init }), { ...env, ...vars } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export function register(metadata: unknown, options: { vars?: Record<string, string>; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return callWith(options.vars ?? OPEN, '/register', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': freshIp(), ...options.headers },
    body: options.body ?? JSON.stringify(metadata),
  });
}

export interface ClientInformation {
  client_id: string;
  client_id_issued_at: number;
  client_name: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: string;
  scope?: string;
  registration_access_token: string;
  registration_client_uri: string;
}

export async function registered(metadata: unknown = MCP_CLIENT, vars = OPEN): Promise<ClientInformation> {
  const response = await register(metadata, { vars });
  expect(response.status).toBe(201);
  return (await response.json()) as ClientInformation;
}

