import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startWorkerServer, withTimeout, type WorkerServer } from './worker-server';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'cli/admin.mjs');
const CLI_TIMEOUT_MS = 30_000;
const MANAGEMENT_API = 'urn:edge-auth:management-api';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node cli/admin.mjs ...` as an operator would, with the Node that runs vitest. The caller's
 * EDGE_AUTH_* variables are dropped, so only what a test passes reaches the CLI.
 */
function runCli(args: readonly string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EDGE_AUTH_')));
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...env, ...options.env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return withTimeout(exited, CLI_TIMEOUT_MS, `admin ${args.join(' ')}`).finally(() => child.kill());
}

let server: WorkerServer;
/** What `bootstrap --local --persist-to` printed, run on the worker's D1 before it started. */
let bootstrapped: { clientId: string; clientSecret: string; stdout: string };

/** The CLI against the test worker, as the seed's dev-admin (the loopback default). */
const admin = (args: readonly string[], options: { stdin?: string; env?: Record<string, string> } = {}) =>
  runCli(['--url', server.issuer, ...args], options);

/** A command that must succeed, with its `--json` output parsed. */
async function adminJson<T = Record<string, any>>(args: readonly string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<T> {
  const result = await admin([...args, '--json'], options);
  expect(result, result.stderr).toMatchObject({ code: 0 });
  return JSON.parse(result.stdout) as T;
}

/** Every file under `dir`, for checking what reached the disk. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** The export lines of bootstrap's output: what the operator copies into a shell. */
function exported(stdout: string, name: string): string {
  const value = new RegExp(`^\\s*export ${name}=(\\S+)$`, 'm').exec(stdout)?.[1];
  expect(value, `${name} in:\n${stdout}`).toBeDefined();
  return value!;
}

beforeAll(async () => {
  server = await startWorkerServer({
    // The operator's one-time step, on the same local D1 the worker then serves.
    prepare: async (persistDir) => {
      const result = await runCli(['bootstrap', '--local', '--persist-to', persistDir, '--name', "O'Brien's ops"]);
      expect(result, result.stderr).toMatchObject({ code: 0 });
      const clientSecret = exported(result.stdout, 'EDGE_AUTH_CLIENT_SECRET');
      bootstrapped = { clientId: exported(result.stdout, 'EDGE_AUTH_CLIENT_ID'), clientSecret, stdout: result.stdout };
      // Only the hash reached D1's files; the secret itself is on no disk.
      const stored = await Promise.all((await filesUnder(persistDir)).map((file) => readFile(file)));
      const hash = createHash('sha256').update(clientSecret).digest('base64url');
      expect(stored.some((bytes) => bytes.includes(hash))).toBe(true);
      expect(stored.some((bytes) => bytes.includes(clientSecret))).toBe(false);
    },
  });
});

afterAll(async () => {
  await server?.close();
});

/** POST /oauth/token with client_secret_basic. */
function clientCredentialsToken(clientId: string, secret: string, audience: string): Promise<Response> {
  return fetch(new URL('/oauth/token', server.issuer), {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', audience }),
  });
}

/**
 * A native app's sign-in over HTTP (RFC 8252 with PKCE): /authorize, the login form, the code at
 * the app's redirect URI, then the token endpoint.
 */
async function signIn(app: { clientId: string; redirectUri: string; audience: string; scope: string }, user: { email: string; password: string }) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('base64url');
  const authorize = new URL('/authorize', server.issuer);
  authorize.search = new URLSearchParams({
    client_id: app.clientId,
    response_type: 'code',
    redirect_uri: app.redirectUri,
    scope: app.scope,
    audience: app.audience,
    state,
    nonce: 'n-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const authorized = await fetch(authorize, { redirect: 'manual' });
  expect(authorized.status).toBe(302);
  const loginUrl = new URL(authorized.headers.get('Location')!, server.issuer);
  expect(loginUrl.pathname).toBe('/login');
  const cookie = authorized.headers.getSetCookie()[0]!.split(';')[0]!;

  const form = await (await fetch(loginUrl, { headers: { Cookie: cookie } })).text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(form)?.[1];
  expect(requestId).toBeDefined();
  const submitted = await fetch(loginUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookie },
    body: new URLSearchParams({ request_id: requestId!, email: user.email, password: user.password }),
  });
  expect(submitted.status).toBe(303);
  const callback = new URL(submitted.headers.get('Location')!);
  expect(`${callback.protocol}${callback.pathname}`).toBe(app.redirectUri);
  expect(callback.searchParams.get('state')).toBe(state);
  expect(callback.searchParams.get('iss')).toBe(server.issuer);

  const token = await fetch(new URL('/oauth/token', server.issuer), {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      redirect_uri: app.redirectUri,
      code: callback.searchParams.get('code')!,
      code_verifier: verifier,
    }),
  });
  expect(token.status).toBe(200);
  return (await token.json()) as { access_token: string; id_token?: string; scope: string };
}

const jwks = () => createRemoteJWKSet(new URL('/.well-known/jwks.json', server.issuer));

/**
 * Audit rows are written after the response, through a queue whose batches wait up to 5 seconds
 * (wrangler.toml): a bounded wait for the ones expected.
 */
async function auditEventsUntil(args: readonly string[], found: (items: any[]) => boolean): Promise<any[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { items } = await adminJson<{ items: any[] }>(['audit', 'list', '--per-page', '100', ...args]);
    if (found(items) || Date.now() > deadline) return items;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm run admin: help and usage', () => {
  it('lists every command with `help`, and a command’s options with --help (exit 0)', async () => {
    const help = await runCli(['help']);
    expect(help.code).toBe(0);
    for (const command of ['clients', 'apis', 'grants', 'users', 'keys', 'audit', 'bootstrap', 'help']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(help.stdout).toContain('rotate-secret');
    expect(help.stdout).toContain('--json');

    const create = await runCli(['clients', 'create', '--help']);
    expect(create.code).toBe(0);
    expect(create.stdout).toContain('Usage: npm run admin -- clients create');
    expect(create.stdout).toContain('--redirect-uri URI');
    expect((await runCli(['help', 'keys', 'rotate'])).stdout).toContain('--force');
  });

  it.each([
    [[], /Which command\?/],
    [['clients', 'create', '--name', 'x', '--type', 'weird'], /--type must be one of public, confidential/],
    [['clients', 'update', 'x', '--require-consent', '--no-require-consent'], /Give --require-consent or --no-require-consent, not both/],
    [['users', 'get'], /users get needs <id-or-email>/],
    [['bootstrap'], /exactly one of --local .* or --remote/],
    [['bootstrap', '--remote', '--persist-to', '/tmp/x', '--dry-run'], /--persist-to is for --local only/],
    [['users', 'create', '--email', 'a@example.com', '--password', 'x', '--password-stdin'], /not both/],
  ])('exits 2 with one line on stderr for %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^error: [^\n]+\n$/);
  });

  it.each([
    {
      args: ['clients', 'create', '--name', 'X', '--type', 'public', '--scopes', 'openid'],
      error: 'Unknown option --scopes. Did you mean --scope?',
      usage: 'Usage: npm run admin -- clients create [options]',
      help: 'clients create --help',
    },
    {
      args: ['clients', 'create', '--redirect', 'com.example.app:/cb'],
      error: 'Unknown option --redirect. Did you mean --redirect-uri?',
      usage: 'Usage: npm run admin -- clients create [options]',
      help: 'clients create --help',
    },
    {
      args: ['clients', 'list', '--bogus'],
      error: 'Unknown option --bogus.',
      usage: 'Usage: npm run admin -- clients list [options]',
      help: 'clients list --help',
    },
    {
      args: ['clinets', 'list'],
      error: 'Unknown command "clinets". Did you mean clients?',
      usage: 'Usage: npm run admin -- [connection options] <command> [options]\nCommands: clients, connections, apis, grants, users, keys, audit, bootstrap, help',
      help: 'help',
    },
    {
      args: ['clients', 'lst'],
      error: 'Unknown command "clients lst". Did you mean clients list?',
      usage: 'Usage: npm run admin -- clients <command> [options]\nclients commands: list, get, create, update, delete, rotate-secret',
      help: 'clients --help',
    },
    {
      args: ['--urls', 'http://127.0.0.1:1', 'clients', 'list'],
      error: 'Unknown option --urls before the command. Did you mean --url?',
      usage: 'Usage: npm run admin -- [connection options] <command> [options]\nCommands: clients, connections, apis, grants, users, keys, audit, bootstrap, help',
      help: 'help',
    },
  ])('names the closest known name for $args, with the usage (exit 2)', async ({ args, error, usage, help }) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`error: ${error}\n${usage}\nSee \`npm run admin -- ${help}\`.\n`);
  });

  it('sends the dev credentials only to loopback, and secrets only over https', async () => {
    const remote = await runCli(['--url', 'https://auth.example.invalid', 'clients', 'list']);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('No Management API credentials for https://auth.example.invalid');
    const plain = await runCli(['--url', 'http://auth.example.invalid', 'clients', 'list'], {
      env: { EDGE_AUTH_CLIENT_ID: 'ops', EDGE_AUTH_CLIENT_SECRET: 'not-sent' },
    });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('Refusing to send credentials over plain http');
    expect(plain.stderr).not.toContain('not-sent');
  });
});

describe('npm run admin: registering an iOS app, its API and a user', () => {
  it('registers them, and the user signs in to the app through the real authorization code flow', async () => {
    const notes = 'https://notes.example.test';
    const api = await adminJson(['apis', 'create', '--identifier', notes, '--name', 'Notes API', '--scope', 'read:notes write:notes']);
    expect(api).toMatchObject({ identifier: notes, name: 'Notes API', scopes: ['read:notes', 'write:notes'], signing_alg: 'ES256' });

    const app = await adminJson([
      'clients', 'create', '--name', 'Notes for iOS', '--type', 'public',
      '--redirect-uri', 'com.example.ios:/callback',
      '--scope', 'openid profile', '--scope', 'read:notes',
      '--audience', notes,
    ]);
    expect(app).toMatchObject({
      type: 'public',
      redirect_uris: ['com.example.ios:/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile', 'read:notes'],
      audiences: [notes],
    });
    expect(app).not.toHaveProperty('client_secret');

    const user = await adminJson(['users', 'create', '--email', 'ada@example.test', '--name', 'Ada', '--password-stdin'], {
      stdin: 'first-password\n',
    });
    expect(user).toMatchObject({ email: 'ada@example.test', name: 'Ada', blocked: false });
    // set-password by email, from a pipe: the first password stops working.
    expect(await adminJson(['users', 'set-password', 'ada@example.test', '--password-stdin'], { stdin: 'second-password' })).toMatchObject({ id: user.id });
    // The language of Ada's pages and mails, by email; `none` gives it back to her browser.
    expect(await adminJson(['users', 'set-locale', 'ada@example.test', 'ja'])).toMatchObject({ id: user.id, locale: 'ja' });
    expect(await adminJson(['users', 'set-locale', 'ada@example.test', 'none'])).toMatchObject({ locale: null });

    const tokens = await signIn(
      { clientId: app.id, redirectUri: 'com.example.ios:/callback', audience: notes, scope: 'openid profile read:notes' },
      { email: 'ada@example.test', password: 'second-password' },
    );
    const { payload } = await jwtVerify(tokens.access_token, jwks(), { issuer: server.issuer, audience: notes, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: user.id, client_id: app.id });
    expect(String(payload.scope).split(' ')).toContain('read:notes');
    expect(tokens.id_token).toEqual(expect.any(String));

    // The same registrations, as people read them.
    const table = await admin(['clients', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID +NAME +TYPE +GRANT TYPES +REGISTRATION +LAST USED +REDIRECT URIS\n/);
    expect(table.stdout).toMatch(new RegExp(`^${app.id} +Notes for iOS +public +authorization_code refresh_token +management +- +com\\.example\\.ios:/callback$`, 'm'));
    const byIdentifier = await admin(['apis', 'get', notes]);
    expect(byIdentifier.stdout).toMatch(new RegExp(`^id +${api.id}$`, 'm'));
    const listed = await adminJson<{ items: { email: string }[]; total: number }>(['users', 'list', '--email', 'ada@example.test']);
    expect(listed).toMatchObject({ items: [{ email: 'ada@example.test' }], total: 1 });

    // Second factors: none yet; required of Ada, then not; a reset says so.
    expect(await adminJson(['users', 'factors', 'ada@example.test'])).toEqual({ totp: null, recovery_codes_left: 0, mfa_required: false });
    expect(await adminJson(['users', 'require-mfa', 'ada@example.test'])).toMatchObject({ mfa_required: true });
    expect(await adminJson(['users', 'unrequire-mfa', 'ada@example.test'])).toMatchObject({ mfa_required: false });
    expect(await adminJson(['users', 'reset-mfa', 'ada@example.test'])).toEqual({ id: user.id, reset: true });
  });

  it('gives a confidential client a secret once, a client grant, and a client-credentials token', async () => {
    const reports = 'https://reports.example.test';
    await adminJson(['apis', 'create', '--identifier', reports, '--name', 'Reports', '--scope', 'read:reports export:reports']);
    const created = await admin(['clients', 'create', '--name', 'Nightly export', '--type', 'confidential', '--grant-type', 'client_credentials', '--json']);
    expect(created.code).toBe(0);
    const service = JSON.parse(created.stdout);
    expect(service.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('shown only once');

    const grant = await adminJson(['grants', 'create', '--client-id', service.id, '--audience', reports, '--scope', 'read:reports']);
    expect(grant).toMatchObject({ client_id: service.id, audience: reports, scopes: ['read:reports'] });
    expect(await adminJson(['grants', 'list', '--client-id', service.id])).toMatchObject({ items: [{ id: grant.id }], total: 1 });

    const response = await clientCredentialsToken(service.id, service.client_secret, reports);
    expect(response.status).toBe(200);
    const token = (await response.json()) as { access_token: string; scope: string };
    expect(token.scope).toBe('read:reports');
    const { payload } = await jwtVerify(token.access_token, jwks(), { issuer: server.issuer, audience: reports, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: service.id, client_id: service.id });

    // rotate-secret: the new secret is printed once, with its warning; the old one stops working.
    const rotated = await admin(['clients', 'rotate-secret', service.id]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('! Save this client secret now: it is shown only once');
    const newSecret = /^client_secret +(\S+)$/m.exec(rotated.stdout)?.[1];
    expect(newSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await clientCredentialsToken(service.id, service.client_secret, reports)).status).toBe(401);
    expect((await clientCredentialsToken(service.id, newSecret!, reports)).status).toBe(200);
    // Reading the client back never shows a secret.
    const read = await adminJson(['clients', 'get', service.id]);
    expect(JSON.stringify(read)).not.toContain(newSecret!);
    expect(read).not.toHaveProperty('client_secret');
  });
});

describe('npm run admin: keys and the audit log', () => {
  const currentKid = (keys: { items: { kid: string; alg: string; status: string }[] }) =>
    keys.items.find((key) => key.alg === 'ES256' && key.status === 'current')?.kid;

  it('keys rotate --force promotes the next key; without --force a fresh next key is refused (exit 1)', async () => {
    const before = await adminJson<{ items: { kid: string; alg: string; status: string }[] }>(['keys', 'list']);
    const oldKid = currentKid(before);
    const nextKid = before.items.find((key) => key.alg === 'ES256' && key.status === 'next')?.kid;
    expect(oldKid).toBeDefined();

    const refused = await admin(['keys', 'rotate', '--alg', 'ES256']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: POST \/api\/v1\/keys\/rotate failed \(409 rotation_refused\): the next ES256 key has been published for less than 10 minutes.*--force/);

    const after = await adminJson<{ items: { kid: string; alg: string; status: string }[] }>(['keys', 'rotate', '--alg', 'ES256', '--force']);
    expect(currentKid(after)).toBe(nextKid);
    expect(currentKid(after)).not.toBe(oldKid);
    expect(after.items).toContainEqual(expect.objectContaining({ kid: oldKid, status: 'previous' }));
    // Both stay published: tokens signed a moment ago still verify.
    const published = (await (await fetch(new URL('/.well-known/jwks.json', server.issuer))).json()) as { keys: { kid: string }[] };
    expect(published.keys.map((key) => key.kid)).toEqual(expect.arrayContaining([oldKid, nextKid]));

    const table = await admin(['keys', 'list']);
    expect(table.stdout).toMatch(new RegExp(`^${nextKid} +ES256 +current `, 'm'));
  });

  it('audit list shows each management change with its actor, client:dev-admin', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const api = await adminJson(['apis', 'create', '--identifier', 'https://audited.example.test', '--name', 'Audited', '--scope', 'read:x']);
    await adminJson(['apis', 'update', api.id, '--scope', 'read:x write:x']);
    const user = await adminJson(['users', 'create', '--email', 'audited@example.test', '--password-stdin'], { stdin: 'audited-password' });
    await adminJson(['users', 'block', user.id]);
    await adminJson(['apis', 'delete', 'https://audited.example.test']);
    await adminJson(['keys', 'rotate', '--alg', 'ES256', '--force']);

    const expected = [
      { event: 'management_change', detail: { resource: 'api', action: 'create', id: api.id } },
      { event: 'management_change', detail: { resource: 'api', action: 'update', id: api.id } },
      { event: 'management_change', detail: { resource: 'api', action: 'delete', id: api.id } },
      { event: 'management_change', user_id: user.id, detail: { resource: 'user', action: 'create' } },
      { event: 'management_change', user_id: user.id, detail: expect.objectContaining({ resource: 'user', action: 'block' }) },
      { event: 'keys_rotated', detail: { algs: 'ES256', force: true } },
    ].map((event) => expect.objectContaining({ ...event, actor: 'client:dev-admin' }));
    const items = await auditEventsUntil(['--since', since], (found) =>
      expected.every((matcher) => found.some((item) => (matcher as { asymmetricMatch(item: unknown): boolean }).asymmetricMatch(item))),
    );
    expect(items).toEqual(expect.arrayContaining(expected));
    // Newest first, and free of anything secret.
    expect(items.map((item) => item.at)).toEqual([...items.map((item) => item.at)].sort().reverse());
    expect(JSON.stringify(items)).not.toContain('audited-password');

    // Filtered, as people read it.
    const table = await admin(['audit', 'list', '--event', 'keys_rotated', '--since', '5m']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^AT +EVENT +ACTOR +CLIENT +USER +DETAIL\n/);
    expect(table.stdout).toMatch(/ keys_rotated +client:dev-admin +- +- +algs=ES256 force=true$/m);
  });
});

describe('npm run admin: errors from the Management API', () => {
  it.each([
    {
      what: 'a duplicate API identifier',
      args: ['apis', 'create', '--identifier', 'https://api.example.com', '--name', 'Again'],
      stderr: 'error: POST /api/v1/apis failed (409 conflict): An API with this identifier exists.\n',
    },
    {
      what: 'an invalid redirect URI, with its field path',
      args: ['clients', 'create', '--name', 'Bad', '--type', 'public', '--redirect-uri', 'com.example.ios:/ok', '--redirect-uri', 'http://localhost/cb'],
      stderr: /^error: POST \/api\/v1\/clients failed \(400 invalid_body\): The request body is not valid\. — redirect_uris\.1: redirect URI must use http:\/\/127\.0\.0\.1 .*localhost.*\n$/,
    },
    {
      what: 'an unknown client',
      args: ['clients', 'get', 'no-such-client'],
      stderr: 'error: GET /api/v1/clients/no-such-client failed (404 not_found): No such client.\n',
    },
    {
      what: 'the built-in Management API',
      args: ['apis', 'delete', MANAGEMENT_API],
      stderr: 'error: DELETE /api/v1/apis/api_management failed (403 forbidden): The Management API cannot be changed or deleted.\n',
    },
  ])('exits 1 with the description on stderr for $what', async ({ args, stderr }) => {
    const result = await admin(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    if (typeof stderr === 'string') expect(result.stderr).toBe(stderr);
    else expect(result.stderr).toMatch(stderr);
  });

  it('says which credentials were refused, never the secret, and shows a stack only with --debug', async () => {
    const refused = await admin(['clients', 'list'], { env: { EDGE_AUTH_CLIENT_ID: 'dev-admin', EDGE_AUTH_CLIENT_SECRET: 'wrong-secret' } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: Getting a Management API token from ${server.issuer}/oauth/token failed (401 invalid_client): Client authentication failed. — check the credentials of client "dev-admin"\n`,
    );

    const debug = await admin(['clients', 'get', 'no-such-client', '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain(`debug: > GET ${server.issuer}/api/v1/clients/no-such-client`);
    expect(debug.stderr).toMatch(/\n\s+at .*management-client\.mjs/);
    expect(debug.stderr).not.toContain('dev-admin-secret');
    expect(debug.stderr).not.toMatch(/Bearer|Basic /);
  });
});

describe('npm run admin: guardrails for clients (issue 18)', () => {
  it('refuses an app that could not sign anyone in, naming each field and the fix', async () => {
    const result = await admin(['clients', 'create', '--name', 'X', '--type', 'public']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: POST \/api\/v1\/clients failed \(400 invalid_body\): The request body is not valid\. — /);
    expect(result.stderr).toContain('redirect_uris: authorization_code needs at least one redirect URI');
    expect(result.stderr).toContain('audiences: authorization_code needs at least one audience');
    expect(result.stderr).toContain('scopes: authorization_code needs at least one scope');

    const typo = await admin([
      'clients', 'create', '--name', 'X', '--type', 'public', '--redirect-uri', 'com.example.x:/cb',
      '--scope', 'openid read:itemz', '--audience', 'https://api.example.com',
    ]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("scopes.1: read:itemz is defined by none of the client's APIs (https://api.example.com)");
  });

  it('sets and clears consent, pushed requests, logo and brand colour', async () => {
    const created = await adminJson([
      'clients', 'create', '--name', 'Partner', '--type', 'public', '--redirect-uri', 'com.example.partner:/cb',
      '--scope', 'openid', '--audience', 'https://api.example.com',
      '--require-consent', '--logo-uri', 'https://cdn.example.test/logo.png', '--primary-color', '#0a7d32',
    ]);
    expect(created).toMatchObject({ require_consent: true, logo_uri: 'https://cdn.example.test/logo.png', primary_color: '#0a7d32' });
    const cleared = await adminJson(['clients', 'update', created.id, '--no-require-consent', '--logo-uri', 'none', '--primary-color', 'none']);
    expect(cleared).toMatchObject({ require_consent: false, logo_uri: null, primary_color: null, name: 'Partner' });
    const pushing = await adminJson(['clients', 'update', created.id, '--require-pushed-authorization-requests']);
    expect(pushing).toMatchObject({ require_pushed_authorization_requests: true, require_consent: false });
    const notPushing = await adminJson(['clients', 'update', created.id, '--no-require-pushed-authorization-requests']);
    expect(notPushing).toMatchObject({ require_pushed_authorization_requests: false });
    const help = await runCli(['clients', 'update', '--help']);
    expect(help.stdout).toContain('--[no-]require-consent');
    expect(help.stdout).toContain('--[no-]require-pushed-authorization-requests');
    expect(help.stdout).toMatch(/--sso-confirmation WHEN +.*unverified_redirects \(default.*always or never/);
  });

  it('requires DPoP of a client with --dpop-bound-access-tokens, and makes it optional again with --no-', async () => {
    const created = await adminJson([
      'clients', 'create', '--name', 'Bound', '--type', 'public', '--redirect-uri', 'com.example.bound:/cb',
      '--scope', 'openid', '--audience', 'https://api.example.com', '--dpop-bound-access-tokens',
    ]);
    expect(created).toMatchObject({ dpop_bound_access_tokens: true });
    expect(await adminJson(['clients', 'update', created.id, '--no-dpop-bound-access-tokens'])).toMatchObject({ dpop_bound_access_tokens: false });
    expect((await runCli(['clients', 'update', '--help'])).stdout).toContain('--[no-]dpop-bound-access-tokens');
  });

  it('turns sign-up on and off with --[no-]allow-signup, and sends account mail to a user', async () => {
    const created = await adminJson([
      'clients', 'create', '--name', 'Open', '--type', 'public', '--redirect-uri', 'com.example.open:/cb',
      '--scope', 'openid', '--audience', 'https://api.example.com', '--allow-signup', '--require-verified-email', '--require-mfa',
    ]);
    expect(created).toMatchObject({ allow_signup: true, require_verified_email: true, require_mfa: true });
    expect(await adminJson(['clients', 'update', created.id, '--no-allow-signup'])).toMatchObject({ allow_signup: false, require_verified_email: true });
    expect(await adminJson(['users', 'send-reset-mail', 'demo@example.com'])).toEqual({ sent: true, kind: 'reset_password' });
    const user = await adminJson(['users', 'create', '--email', `cli-verify-${Date.now()}@example.com`, '--password', 'a long enough password']);
    expect(await adminJson(['users', 'send-verification-mail', user.id])).toEqual({ sent: true, kind: 'verify_email' });
    const pending = await adminJson(['users', 'list', '--unverified', '--per-page', '100']);
    expect(pending.items.map((u: { id: string }) => u.id)).toContain(user.id);
    expect(pending.items.every((u: { email_verified: boolean }) => !u.email_verified)).toBe(true);
    const exported = await adminJson(['users', 'export', user.id]);
    expect(exported).toMatchObject({ user: { id: user.id, email_verified: false }, sessions: [], grants: [], consents: [] });
    expect(JSON.stringify(exported)).not.toMatch(/pbkdf2|scrypt|password_hash/);
    const refused = await admin(['users', 'send-verification-mail', 'demo@example.com']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('verified already');
  });

  it('passes --sso-confirmation to the API as sso_confirmation, which checks the value', async () => {
    // A stand-in edge-auth that records what the CLI sends: the server's own rules are tested with the server.
    const received: { method: string; path: string; body: string }[] = [];
    const fake = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method ?? '', path: request.url ?? '', body });
        response.setHeader('Content-Type', 'application/json');
        const token = request.url === '/oauth/token';
        response.end(JSON.stringify(token ? { access_token: 'stand-in', token_type: 'Bearer', expires_in: 120 } : { id: 'abc', sso_confirmation: 'always' }));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const result = await runCli(['--url', `http://127.0.0.1:${(fake.address() as AddressInfo).port}`, 'clients', 'update', 'abc', '--sso-confirmation', 'always', '--json']);
      expect(result, result.stderr).toMatchObject({ code: 0 });
      expect(received.at(-1)).toEqual({ method: 'PATCH', path: '/api/v1/clients/abc', body: '{"sso_confirmation":"always"}' });
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});

describe('npm run admin: one Management API token for many commands', () => {
  const cacheDir = join(ROOT, '.wrangler/admin-tokens');

  /** The cache file of `clientId` at the test worker, and its entry. */
  async function cacheEntry(clientId: string): Promise<{ file: string; entry: Record<string, any> }> {
    for (const name of await readdir(cacheDir)) {
      const file = join(cacheDir, name);
      const entry = JSON.parse(await readFile(file, 'utf8'));
      if (entry.client_id === clientId && entry.base_url === `${server.issuer}/`) return { file, entry };
    }
    expect.fail(`no cached token for ${clientId}`);
  }

  it('fetches one token for two commands, keeps it in a 0600 file no output shows, and fetches again once it is refused', async () => {
    // An operator client of its own, so the audit rows counted are this test's alone.
    const ops = await adminJson(['clients', 'create', '--name', 'Ops', '--type', 'confidential', '--grant-type', 'client_credentials']);
    await adminJson(['grants', 'create', '--client-id', ops.id, '--audience', MANAGEMENT_API, '--scope', 'read:clients update:clients']);
    const env = { EDGE_AUTH_CLIENT_ID: ops.id, EDGE_AUTH_CLIENT_SECRET: ops.client_secret };
    const asOps = async (args: string[]) => {
      const result = await admin([...args, '--debug'], { env });
      expect(result, result.stderr).toMatchObject({ code: 0 });
      return result;
    };
    /** Waits for the updates of ops by ops (the last thing each run does), then counts its tokens. */
    const tokensIssuedAfter = async (updates: number) => {
      const byOps = (items: any[]) => items.filter((item) => item.actor === `client:${ops.id}`);
      const changes = await auditEventsUntil(['--client-id', ops.id, '--event', 'management_change'], (items) => byOps(items).length >= updates);
      expect(byOps(changes)).toHaveLength(updates);
      return (await auditEventsUntil(['--client-id', ops.id, '--event', 'client_credentials_issued'], () => true)).length;
    };

    const outputs = [await asOps(['clients', 'get', ops.id]), await asOps(['clients', 'update', ops.id, '--name', 'Ops 1'])];
    expect(outputs[1]!.stderr).toContain('debug: using the cached Management API token');
    expect(await tokensIssuedAfter(1)).toBe(1);

    const { file, entry } = await cacheEntry(ops.id);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(entry.access_token).toEqual(expect.any(String));
    expect(JSON.stringify(entry)).not.toContain(ops.client_secret);
    for (const { stdout, stderr } of outputs) expect(stdout + stderr).not.toContain(entry.access_token);

    // A token the API refuses is dropped: the same command fetches a new one and succeeds.
    await writeFile(file, JSON.stringify({ ...entry, access_token: 'revoked-or-forged' }), { mode: 0o600 });
    const retried = await asOps(['clients', 'update', ops.id, '--name', 'Ops 2']);
    expect(retried.stderr).toContain('debug: the cached token was refused; fetching a new one');
    expect(await tokensIssuedAfter(2)).toBe(2);
    expect((await cacheEntry(ops.id)).entry.access_token).not.toBe('revoked-or-forged');
  });
});

describe('npm run admin: EDGE_AUTH_URL', () => {
  it('finds edge-auth at EDGE_AUTH_URL, and --url wins over it', async () => {
    const viaEnv = await runCli(['clients', 'get', 'demo-app', '--json'], { env: { EDGE_AUTH_URL: server.issuer } });
    expect(viaEnv, viaEnv.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ id: 'demo-app' });
    const port = await freePort();
    const overridden = await runCli(['--url', server.issuer, 'clients', 'get', 'demo-app', '--json'], { env: { EDGE_AUTH_URL: `http://127.0.0.1:${port}` } });
    expect(overridden.code).toBe(0);
  });

  it('names EDGE_AUTH_URL and `npm run dev` when nothing answers there', async () => {
    const port = await freePort();
    const result = await runCli(['clients', 'list'], { env: { EDGE_AUTH_URL: `http://127.0.0.1:${port}` } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: Could not reach edge-auth at http://127.0.0.1:${port} (from EDGE_AUTH_URL): ECONNREFUSED. ` +
        'Start edge-auth with `npm run dev` (it serves EDGE_AUTH_URL, by default http://127.0.0.1:8787), or set EDGE_AUTH_URL to where it runs.\n',
    );
    const invalid = await runCli(['clients', 'list'], { env: { EDGE_AUTH_URL: 'auth.example.com' } });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^error: EDGE_AUTH_URL must be an absolute URL such as https:\/\/auth\.example\.com, not "auth\.example\.com"\./);
  });
});

describe('npm run admin: bootstrap', () => {
  it('bootstrap --local wrote a Management API client whose printed credentials get a token', async () => {
    expect(bootstrapped.stdout).toContain('shown only this once');
    expect(bootstrapped.clientId).toMatch(/^admin_[A-Za-z0-9_-]{22}$/);
    expect(bootstrapped.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const response = await clientCredentialsToken(bootstrapped.clientId, bootstrapped.clientSecret, MANAGEMENT_API);
    expect(response.status).toBe(200);
    const token = (await response.json()) as { scope: string };
    const managementApi = await adminJson<{ scopes: string[] }>(['apis', 'get', MANAGEMENT_API]);
    expect(token.scope.split(' ').sort()).toEqual([...managementApi.scopes].sort());

    // The CLI with those credentials from the environment, as the printed instructions say.
    const env = { EDGE_AUTH_URL: server.issuer, EDGE_AUTH_CLIENT_ID: bootstrapped.clientId, EDGE_AUTH_CLIENT_SECRET: bootstrapped.clientSecret };
    const self = await runCli(['clients', 'get', bootstrapped.clientId, '--json'], { env });
    expect(self.code).toBe(0);
    // The name went through SQL quoting intact.
    expect(JSON.parse(self.stdout)).toMatchObject({ name: "O'Brien's ops", type: 'confidential', grant_types: ['client_credentials'] });
    const audit = await auditEventsUntil(['--client-id', bootstrapped.clientId], (items) => items.length > 0);
    expect(audit).toContainEqual(expect.objectContaining({ event: 'client_credentials_issued', actor: `client:${bootstrapped.clientId}` }));
  });

  it('--remote --dry-run prints the exact wrangler command, which sh runs with the SQL intact', async () => {
    const name = `O'Brien "$HOME" \`id\``;
    const dryRun = await runCli(['bootstrap', '--remote', '--dry-run', '--name', name]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain('nothing was executed');
    const script = dryRun.stdout.slice(dryRun.stdout.indexOf('SQL=$('));
    const sql = /<<'SQL_END'\n([\s\S]*?)\nSQL_END\n/.exec(script)?.[1];
    expect(sql).toBeDefined();
    const clientId = /SELECT '(admin_[A-Za-z0-9_-]{22})', /.exec(sql!)?.[1];
    expect(clientId).toBeDefined();
    expect(sql).toContain(`SELECT '${clientId}', 'O''Brien "$HOME" \`id\`', 'confidential', '`);
    expect(sql).toMatch(/'confidential', '[A-Za-z0-9_-]{43}', '\[\]', '\[\]', '\["client_credentials"\]', '\[\]', '\[\]'\nWHERE EXISTS \(SELECT 1 FROM apis WHERE identifier = 'urn:edge-auth:management-api'\);/);
    expect(sql).toContain(`INSERT INTO client_grants (id, client_id, audience, scopes)\nSELECT 'cg_`);
    expect(sql).toContain(`, '${clientId}', identifier, scopes FROM apis WHERE identifier = 'urn:edge-auth:management-api';`);

    // Run the printed command under sh, with a stand-in wrangler that reports what it received.
    const sandbox = await mkdtemp(join(tmpdir(), 'edge-auth-dry-run-'));
    try {
      await mkdir(join(sandbox, 'node_modules/.bin'), { recursive: true });
      const stub = join(sandbox, 'node_modules/.bin/wrangler');
      await writeFile(stub, `#!/bin/sh\nprintf '%s\\0' "CI=$CI" "METRICS=$WRANGLER_SEND_METRICS" "CF_FETCH=$CLOUDFLARE_CF_FETCH_ENABLED" "$@"\n`);
      await chmod(stub, 0o755);
      const ran = await new Promise<string>((resolve, reject) => {
        const sh = spawn('sh', ['-c', script], { cwd: sandbox, env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' } });
        let out = '';
        sh.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
        sh.once('error', reject);
        sh.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`sh exited ${code}`))));
      });
      expect(ran.split('\0').slice(0, -1)).toEqual([
        'CI=true', 'METRICS=false', 'CF_FETCH=false',
        'd1', 'execute', 'DB', '--remote', '--json', '--command', sql,
      ]);
    } finally {
      await rm(sandbox, { recursive: true, force: true });
    }

    // The secret of a dry run is never printed: only the hash is in the SQL.
    expect(dryRun.stdout).not.toMatch(/EDGE_AUTH_CLIENT_SECRET/);
    const json = await runCli(['bootstrap', '--remote', '--dry-run', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      dry_run: true,
      command: ['node_modules/.bin/wrangler', 'd1', 'execute', 'DB', '--remote', '--json', '--command', expect.stringContaining('INSERT INTO clients')],
    });
    expect(JSON.parse(json.stdout)).not.toHaveProperty('client_secret');
  });
});
