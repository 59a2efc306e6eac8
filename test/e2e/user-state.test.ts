/**
 * The user as the unit of state, over real HTTP against the worker wrangler serves: a restart in
 * the middle of flows loses no code, session, refresh token or lock; a password change, a block
 * (and unblock) and a deletion end the user's sessions and refresh tokens; the CLI signs a user
 * out everywhere.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerServer, withTimeout, type WorkerServer } from './worker-server';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REDIRECT = 'com.example.demo:/callback';
const ADMIN = `Basic ${btoa('dev-admin:dev-admin-secret')}`;

let server: WorkerServer;
const url = (path: string) => new URL(path, server.issuer);

/** A browser: cookies kept by name, redirects not followed. */
class Browser {
  readonly cookies = new Map<string, string>();
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url(path), { redirect: 'manual', ...init, headers: { ...(init.headers as Record<string, string>), ...(cookie && { Cookie: cookie }) } });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizePath(challenge: string, scope = 'openid read:items offline_access') {
  const query = new URLSearchParams({ client_id: 'demo-app', response_type: 'code', redirect_uri: REDIRECT, scope, state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
  return `/authorize?${query}`;
}

/** Authorize, then sign in on the login page if the browser has no session: the redirect back to the app. */
async function authorize(browser: Browser, email: string, password: string, ip = '192.0.2.50'): Promise<{ location: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const first = await browser.fetch(authorizePath(challenge));
  const location = first.headers.get('Location') ?? '';
  if (location.startsWith(REDIRECT)) return { location, verifier };
  expect(location).toBe('/login');
  const page = await (await browser.fetch('/login')).text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const submitted = await browser.fetch('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'CF-Connecting-IP': ip },
    body: new URLSearchParams({ request_id: requestId, email, password }),
  });
  return { location: submitted.headers.get('Location') ?? `status ${submitted.status}`, verifier };
}

const codeOf = (location: string) => new URL(location).searchParams.get('code') ?? '';

async function token(fields: Record<string, string>): Promise<Response> {
  return fetch(url('/oauth/token'), { method: 'POST', body: new URLSearchParams({ client_id: 'demo-app', ...fields }) });
}

async function redeem(location: string, verifier: string) {
  return token({ grant_type: 'authorization_code', code: codeOf(location), redirect_uri: REDIRECT, code_verifier: verifier });
}

async function tokensFor(email: string, password: string, browser = new Browser()) {
  const { location, verifier } = await authorize(browser, email, password);
  const response = await redeem(location, verifier);
  expect(response.status).toBe(200);
  return { browser, tokens: (await response.json()) as { access_token: string; refresh_token: string } };
}

const userinfo = (accessToken: string) => fetch(url('/userinfo'), { headers: { Authorization: `Bearer ${accessToken}` } });

async function management(method: string, path: string, body?: unknown): Promise<Response> {
  const tokenResponse = await fetch(url('/oauth/token'), {
    method: 'POST',
    headers: { Authorization: ADMIN },
    body: new URLSearchParams({ grant_type: 'client_credentials', audience: 'urn:edge-auth:management-api' }),
  });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  return fetch(url(`/api/v1${path}`), {
    method,
    headers: { Authorization: `Bearer ${access_token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

async function createUser(email: string, password: string): Promise<string> {
  const response = await management('POST', '/users', { email, password });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Everything a user-wide operation must end, checked together. */
async function expectSignedOutEverywhere(browser: Browser, tokens: { access_token: string; refresh_token: string }) {
  expect((await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(400);
  expect((await userinfo(tokens.access_token)).status).toBe(401);
  // The session no longer approves: /authorize asks for the password again.
  expect((await browser.fetch(authorizePath(pkce().challenge))).headers.get('Location')).toBe('/login');
}

function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'cli/admin.mjs'), '--url', server.issuer, ...args], { cwd: ROOT, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end();
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return withTimeout(exited, 30_000, `admin ${args.join(' ')}`).finally(() => child.kill());
}

beforeAll(async () => {
  server = await startWorkerServer();
});

afterAll(async () => {
  await server?.close();
});

describe('a restart of the server in the middle of flows', () => {
  it('loses no issued code, session, refresh token or lock', async () => {
    const password = 'restart-password';
    await createUser('restart@example.com', password);
    await createUser('restart-locked@example.com', password);
    // Before: a code not yet redeemed, a session, a refresh token, a locked account.
    const pending = await authorize(new Browser(), 'restart@example.com', password);
    const { browser, tokens } = await tokensFor('restart@example.com', password);
    for (let i = 0; i < 5; i++) await authorize(new Browser(), 'restart-locked@example.com', `wrong-${i}`, `198.51.100.${i + 1}`);

    await withTimeout(server.restart(), 120_000, 'restart');

    expect((await redeem(pending.location, pending.verifier)).status).toBe(200);
    expect((await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(200);
    const again = await authorize(browser, 'restart@example.com', password);
    expect(again.location.startsWith(REDIRECT)).toBe(true);
    // Still locked: the right password is refused.
    expect((await authorize(new Browser(), 'restart-locked@example.com', password, '198.51.100.20')).location).toBe('status 401');
  });
});

describe('user-wide operations end sessions and refresh tokens', () => {
  it('a password change', async () => {
    const id = await createUser('reset-e2e@example.com', 'old-password');
    const { browser, tokens } = await tokensFor('reset-e2e@example.com', 'old-password');
    expect((await userinfo(tokens.access_token)).status).toBe(200);
    expect((await management('PATCH', `/users/${id}`, { password: 'new-password' })).status).toBe(200);
    await expectSignedOutEverywhere(browser, tokens);
  });

  it('a block, which unblocking does not undo', async () => {
    const id = await createUser('block-e2e@example.com', 'block-password');
    const { browser, tokens } = await tokensFor('block-e2e@example.com', 'block-password');
    expect((await management('PATCH', `/users/${id}`, { blocked: true })).status).toBe(200);
    expect((await management('PATCH', `/users/${id}`, { blocked: false })).status).toBe(200);
    await expectSignedOutEverywhere(browser, tokens);
    // The user can sign in again, afresh.
    expect((await tokensFor('block-e2e@example.com', 'block-password')).tokens.refresh_token).toBeTruthy();
  });

  it('a deletion', async () => {
    const id = await createUser('delete-e2e@example.com', 'delete-password');
    const { browser, tokens } = await tokensFor('delete-e2e@example.com', 'delete-password');
    expect((await management('DELETE', `/users/${id}`)).status).toBe(204);
    await expectSignedOutEverywhere(browser, tokens);
  });

  it('“sign out everywhere” from the CLI, after listing the sessions and grants it ends', async () => {
    await createUser('cli-e2e@example.com', 'cli-password');
    const first = await tokensFor('cli-e2e@example.com', 'cli-password');
    await tokensFor('cli-e2e@example.com', 'cli-password');
    const sessions = await runCli(['users', 'sessions', 'cli-e2e@example.com', '--json']);
    expect(sessions.code, sessions.stderr).toBe(0);
    expect((JSON.parse(sessions.stdout) as { items: unknown[] }).items).toHaveLength(2);
    const grants = await runCli(['users', 'grants', 'cli-e2e@example.com', '--json']);
    expect((JSON.parse(grants.stdout) as { items: { refresh_token_active: boolean }[] }).items.filter((g) => g.refresh_token_active)).toHaveLength(2);
    const result = await runCli(['users', 'sign-out-everywhere', 'cli-e2e@example.com']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/2 sessions ended, 2 grants revoked/);
    await expectSignedOutEverywhere(first.browser, first.tokens);
  });
});
