import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from './browser-helpers';
import { freePort, startWorkerServer, withTimeout, type WorkerServer } from './worker-server';

/** examples/native-app: the command-line stand-in for an iOS or Android app, run as its user would. */
const EXAMPLE = fileURLToPath(new URL('../../examples/native-app/sign-in.mjs', import.meta.url));
const API = 'https://api.example.com';
const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'demo-password';
/** The example's own bound on the wait for the browser, and ours on the whole run. */
const EXAMPLE_TIMEOUT_SECONDS = 30;
const RUN_TIMEOUT_MS = 15_000;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running example: the URL it asks the user to open, and how it ended. */
interface ExampleRun {
  authorizationUrl: Promise<URL>;
  exited: Promise<Exit>;
  kill(): void;
}

const running = new Set<ExampleRun>();

afterEach(() => {
  for (const run of running) run.kill();
  running.clear();
});

/** Runs the example with the Node that runs vitest; progress and the URL come on stderr, the summary on stdout. */
function runExample(args: readonly string[], env: Record<string, string> = {}): ExampleRun {
  const child = spawn(process.execPath, [EXAMPLE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EDGE_AUTH_URL: '', ...env } });
  let stdout = '';
  let stderr = '';
  let foundUrl: (url: URL) => void = () => undefined;
  let noUrl: (error: Error) => void = () => undefined;
  const authorizationUrl = new Promise<URL>((resolve, reject) => {
    foundUrl = resolve;
    noUrl = reject;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    const printed = /^Open this URL: (\S+)$/m.exec(stderr)?.[1];
    if (printed) foundUrl(new URL(printed));
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code) => {
      noUrl(new Error(`the example exited with ${code} before printing the authorization URL:\n${stderr}`));
      resolve({ code, stdout, stderr });
    });
  });
  // Settled by the test when it gets that far; this only keeps an early exit from going unhandled.
  authorizationUrl.catch(() => undefined);
  const run = { authorizationUrl, exited, kill: () => child.kill() };
  running.add(run);
  return run;
}

/**
 * The user's part, played with fetch: open the authorization URL, get sent to the login page with
 * the pending-request cookie, submit the form, and follow the 303 back to the app's loopback listener.
 */
async function signInInTheBrowser(authorizationUrl: URL, account = { email: DEMO_EMAIL, password: DEMO_PASSWORD }): Promise<void> {
  const authorized = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(authorized.status).toBe(302);
  const loginUrl = new URL(authorized.headers.get('Location')!, authorizationUrl);
  expect(loginUrl.pathname).toBe('/login');
  const cookie = authorized.headers.getSetCookie()[0]?.split(';')[0];
  expect(cookie).toBeTruthy();

  const page = await fetch(loginUrl, { headers: { Cookie: cookie! }, redirect: 'manual' });
  expect(page.status).toBe(200);
  const requestId = /<input type="hidden" name="request_id" value="([^"]*)"/.exec(await page.text())?.[1];
  expect(requestId).toBeTruthy();

  const submitted = await fetch(loginUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookie! },
    body: new URLSearchParams({ request_id: requestId!, email: account.email, password: account.password }),
  });
  expect(submitted.status).toBe(303);
  const backToApp = new URL(submitted.headers.get('Location')!);
  expect(`${backToApp.origin}${backToApp.pathname}`).toBe(authorizationUrl.searchParams.get('redirect_uri'));
  expect(backToApp.searchParams.get('code')).toBeTruthy();

  const delivered = await fetch(backToApp, { redirect: 'manual' });
  expect(delivered.status).toBe(200);
  expect(delivered.headers.get('Content-Type')).toMatch(/^text\/html/);
  expect(delivered.headers.get('Cache-Control')).toBe('no-store');
  expect(await delivered.text()).toContain('You can close this tab');
}

/** What an ES256 JWT and an edge-auth refresh token (`<grant id>.<256 random bits>`) look like whole. */
const WHOLE_JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;
const WHOLE_REFRESH_TOKEN = /[\w-]{22}\.[\w-]{43}/;

describe('examples/native-app signs in as a native app would (RFC 8252, oauth4webapi)', () => {
  let server: WorkerServer;

  beforeAll(async () => {
    server = await startWorkerServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('signs in through the loopback redirect, verifies the tokens, reads userinfo and refreshes with rotation', async () => {
    const run = runExample(['--issuer', server.issuer, '--json', '--timeout', String(EXAMPLE_TIMEOUT_SECONDS)]);
    const authorizationUrl = await withTimeout(run.authorizationUrl, RUN_TIMEOUT_MS, 'the example printing its authorization URL');

    // The request a native app makes (RFC 8252 section 7.3, RFC 7636), found through discovery.
    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(`${server.issuer}/authorize`);
    const params = authorizationUrl.searchParams;
    expect(params.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(Object.fromEntries(params)).toMatchObject({
      client_id: 'demo-app',
      response_type: 'code',
      scope: 'openid profile email offline_access read:items',
      audience: API,
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      state: expect.stringMatching(/^[\w-]{43}$/),
      nonce: expect.stringMatching(/^[\w-]{43}$/),
    });

    await signInInTheBrowser(authorizationUrl);

    const { code, stdout, stderr } = await withTimeout(run.exited, RUN_TIMEOUT_MS, 'the example');
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stderr).toContain(`Authorization response checked: state matches, iss is ${server.issuer} (RFC 9207)`);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({
      ok: true,
      issuer: server.issuer,
      client_id: 'demo-app',
      redirect_uri: params.get('redirect_uri'),
      id_token: {
        header: { alg: 'ES256' },
        claims: { iss: server.issuer, sub: 'user_demo', aud: 'demo-app', nonce: params.get('nonce') },
      },
      access_token: {
        header: { alg: 'ES256', typ: 'at+jwt' },
        claims: { iss: server.issuer, sub: 'user_demo', aud: API, client_id: 'demo-app' },
      },
      userinfo: { sub: 'user_demo', email: DEMO_EMAIL, email_verified: true, name: 'Demo User' },
      refresh: {
        rotated: true,
        access_token: { header: { typ: 'at+jwt' }, claims: { sub: 'user_demo', aud: API } },
        id_token: { claims: { sub: 'user_demo' } },
      },
    });
    expect(summary.access_token.claims.scope.split(' ')).toContain('read:items');
    expect(summary.refresh_token.fingerprint).not.toBe(summary.refresh.refresh_token.fingerprint);
    // Only the first 12 characters of a token are ever shown.
    expect(summary.refresh_token.prefix).toHaveLength(12);
    expect(`${stdout}\n${stderr}`).not.toMatch(WHOLE_JWT);
    expect(`${stdout}\n${stderr}`).not.toMatch(WHOLE_REFRESH_TOKEN);
  });

  it('with --delete-account deletes the account as an app\'s settings screen does; then sign-in fails', async () => {
    const account = { email: `example-delete-${Date.now()}@example.com`, password: 'an example password to delete' };
    await createUser(server.issuer, account.email, account.password);
    const run = runExample(['--issuer', server.issuer, '--delete-account', '--dpop', '--json', '--timeout', String(EXAMPLE_TIMEOUT_SECONDS)]);
    const authorizationUrl = await withTimeout(run.authorizationUrl, RUN_TIMEOUT_MS, 'the example printing its authorization URL');
    expect(authorizationUrl.searchParams.get('scope')).toBe('openid profile email offline_access read:items delete:account');
    expect(authorizationUrl.searchParams.get('max_age')).toBe('0');
    await signInInTheBrowser(authorizationUrl, account);

    const { code, stdout, stderr } = await withTimeout(run.exited, RUN_TIMEOUT_MS, 'the example');
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, account_deleted: true });
    expect(stderr).toContain('The refresh token is now refused');
    // The account is gone: its password signs in nowhere.
    const again = runExample(['--issuer', server.issuer, '--json', '--timeout', '5']);
    const url = await withTimeout(again.authorizationUrl, RUN_TIMEOUT_MS, 'the example printing its authorization URL');
    const authorized = await fetch(url, { redirect: 'manual' });
    const cookie = authorized.headers.getSetCookie()[0]!.split(';')[0]!;
    const page = await (await fetch(new URL('/login', url), { headers: { Cookie: cookie } })).text();
    const requestId = /name="request_id" value="([^"]*)"/.exec(page)![1]!;
    const refused = await fetch(new URL('/login', url), {
      method: 'POST', redirect: 'manual', headers: { Cookie: cookie }, body: new URLSearchParams({ request_id: requestId, ...account }),
    });
    expect(refused.status).toBe(401);
    again.kill();
  });

  it('with --dpop binds code, tokens and refresh to a non-extractable key (RFC 9449)', async () => {
    const run = runExample(['--issuer', server.issuer, '--dpop', '--json', '--timeout', String(EXAMPLE_TIMEOUT_SECONDS)]);
    const authorizationUrl = await withTimeout(run.authorizationUrl, RUN_TIMEOUT_MS, 'the example printing its authorization URL');
    const jkt = authorizationUrl.searchParams.get('dpop_jkt');
    expect(jkt).toMatch(/^[\w-]{43}$/);
    await signInInTheBrowser(authorizationUrl);
    const { code, stdout, stderr } = await withTimeout(run.exited, RUN_TIMEOUT_MS, 'the example');
    expect({ code, stderr }).toMatchObject({ code: 0 });
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({
      dpop_jkt: jkt,
      access_token: { claims: { cnf: { jkt } } },
      userinfo: { sub: 'user_demo' },
      refresh: { rotated: true, access_token: { claims: { cnf: { jkt } } } },
    });
  });

  it('goes where EDGE_AUTH_URL says when --issuer is not given', async () => {
    const run = runExample(['--json', '--timeout', String(EXAMPLE_TIMEOUT_SECONDS)], { EDGE_AUTH_URL: server.issuer });
    const authorizationUrl = await withTimeout(run.authorizationUrl, RUN_TIMEOUT_MS, 'the example printing its authorization URL');
    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(`${server.issuer}/authorize`);
    await signInInTheBrowser(authorizationUrl);
    const { code, stdout } = await withTimeout(run.exited, RUN_TIMEOUT_MS, 'the example');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, issuer: server.issuer, userinfo: { sub: 'user_demo' } });
  });

  it('refuses a redirect that does not carry its state, before spending any code (RFC 6749 section 10.12)', async () => {
    const run = runExample(['--issuer', server.issuer, '--json', '--timeout', String(EXAMPLE_TIMEOUT_SECONDS)]);
    const authorizationUrl = await withTimeout(run.authorizationUrl, RUN_TIMEOUT_MS, 'the example printing its authorization URL');
    // Another page in the browser sends its own code to the app's loopback listener.
    const forged = new URL(authorizationUrl.searchParams.get('redirect_uri')!);
    forged.search = new URLSearchParams({ code: 'forged-code', state: 'forged-state', iss: server.issuer }).toString();
    expect((await fetch(forged)).status).toBe(200);

    const { code, stdout, stderr } = await withTimeout(run.exited, RUN_TIMEOUT_MS, 'the example');
    expect(code).toBe(1);
    expect(stderr).toContain('error: authorization response failed: unexpected "state" response parameter value\n');
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      error: { step: 'authorization_response', code: 'OAUTH_INVALID_RESPONSE', message: expect.any(String) },
    });
    expect(stderr).not.toContain('Code exchanged');
  });
});

describe('examples/native-app fails clearly', () => {
  it('exits 1 at once with a readable message when nothing answers at the issuer', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const { code, stdout, stderr } = await withTimeout(
      runExample(['--issuer', issuer, '--json', '--timeout', String(EXAMPLE_TIMEOUT_SECONDS)]).exited,
      5_000,
      'the example against a closed port',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `error: discovery failed: could not reach the server (connection refused: nothing listens on that port). ` +
        `Is edge-auth running at ${issuer}? Start it with \`EDGE_AUTH_URL=${issuer} npm run dev\`, ` +
        'or set EDGE_AUTH_URL to where it runs (`npm run dev` prints it).\n',
    );
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      error: { step: 'discovery', code: 'ECONNREFUSED', message: expect.stringContaining('could not reach the server') },
    });
  });

  it('says when another program holds the port, and how to start edge-auth beside it', async () => {
    const other: Server = createServer((_, response) => response.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not here</h1>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const port = (other.address() as { port: number }).port;
      const issuer = `http://127.0.0.1:${port}`;
      const { code, stderr } = await withTimeout(runExample(['--json'], { EDGE_AUTH_URL: issuer }).exited, 5_000, 'the example against another server');
      expect(code).toBe(1);
      expect(stderr).toContain(`(HTTP 404 from ${issuer}/.well-known/openid-configuration)`);
      expect(stderr).toContain(
        `Something other than edge-auth answers at ${issuer}: is another program using port ${port}? ` +
          `Start edge-auth on another port (\`EDGE_AUTH_URL=http://127.0.0.1:${port + 1} npm run dev\`) and run ` +
          `\`EDGE_AUTH_URL=http://127.0.0.1:${port + 1} node examples/native-app/sign-in.mjs\`.\n`,
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('names EDGE_AUTH_URL when that is where a bad issuer came from', async () => {
    const { code, stderr } = await withTimeout(runExample([], { EDGE_AUTH_URL: 'http://auth.example.com' }).exited, 5_000, 'the example with a bad EDGE_AUTH_URL');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: Refusing plain http to auth\.example\.com \(EDGE_AUTH_URL\)/);
  });

  it('exits 2 on wrong usage, before any request', async () => {
    const { code, stdout, stderr } = await withTimeout(runExample(['--timeout', 'soon', '--json']).exited, 5_000, 'the example with a bad option');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: --timeout must be a number of seconds/);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, error: { code: 'usage' } });
  });
});
