/**
 * Upstream federation over real HTTP (issue 17): the worker wrangler serves, with connections to
 * oidc-provider and to a hand-rolled upstream on 127.0.0.1 (DEV_LOOPBACK_FETCH). Sign-in creates
 * and then finds a user, a verified address of an existing account links only after its password,
 * the account page unlinks; wrong nonce, wrong iss, replayed state, expired ID token, token for
 * another aud, an upstream error and an upstream down each end on a page with no code.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, startOidcProvider, UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET, type FakeUpstream, type RunningUpstream } from './upstreams';
import { startWorkerServer, withTimeout, type WorkerServer } from './worker-server';

const REDIRECT = 'com.example.demo:/callback';
const ADMIN = `Basic ${btoa('dev-admin:dev-admin-secret')}`;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

let server: WorkerServer;
let fake: FakeUpstream;
let op: RunningUpstream;
let adminToken: string;

/** A browser: a cookie jar per origin, redirects not followed. */
class Browser {
  readonly jars = new Map<string, Map<string, string>>();
  async fetch(target: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(target, server.issuer);
    const jar = this.jars.get(url.origin) ?? new Map<string, string>();
    this.jars.set(url.origin, jar);
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { redirect: 'manual', ...init, headers: { ...(init.headers as Record<string, string>), ...(cookie && { Cookie: cookie }) } });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(header)) jar.delete(name);
      else jar.set(name, pair.slice(pair.indexOf('=') + 1));
    }
    return response;
  }
  cookies(origin = server.issuer): Map<string, string> {
    return this.jars.get(new URL(origin).origin) ?? new Map();
  }
}

async function management(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(new URL(`/api/v1${path}`, server.issuer), {
    method,
    headers: { Authorization: `Bearer ${adminToken}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');

/** /authorize for demo-app, then the login page's button for `connection`: the upstream's authorization URL. */
async function startAt(browser: Browser, connection: string): Promise<URL> {
  const query = new URLSearchParams({ client_id: 'demo-app', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid email', state: 'app-state', code_challenge: challenge, code_challenge_method: 'S256' });
  expect((await browser.fetch(`/authorize?${query}`)).headers.get('Location')).toBe('/login');
  const page = await (await browser.fetch('/login')).text();
  expect(page).toContain(`href="/login/federated/${connection}"`);
  const start = await browser.fetch(`/login/federated/${connection}`);
  expect(start.status).toBe(303);
  return new URL(start.headers.get('Location') ?? '');
}

/** The upstream's answer followed back to edge-auth's callback. */
async function callback(browser: Browser, upstreamUrl: URL): Promise<Response> {
  const answer = await browser.fetch(upstreamUrl.href);
  expect(answer.status).toBe(302);
  return browser.fetch(answer.headers.get('Location') ?? '');
}

async function redeem(location: string): Promise<{ id_token: string; access_token: string }> {
  const code = new URL(location).searchParams.get('code') ?? '';
  const response = await fetch(new URL('/oauth/token', server.issuer), {
    method: 'POST',
    body: new URLSearchParams({ client_id: 'demo-app', grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }),
  });
  expect(response.status).toBe(200);
  return response.json() as Promise<{ id_token: string; access_token: string }>;
}

const subOf = (idToken: string) => JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()).sub as string;

async function expectRefusedPage(response: Response, code: string): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get('Location')).toBeNull();
  const page = await response.text();
  expect(page).toContain(`federation_${code}`);
}

/** `npm run admin -- ...` against the test worker, as the seed's dev-admin: its standard output. */
async function cli(args: string[], stdin = ''): Promise<string> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../../cli/admin.mjs', import.meta.url)), '--url', server.issuer, ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(stdin);
  const code = await withTimeout(new Promise<number | null>((resolve) => child.once('close', resolve)), 60_000, `admin ${args.join(' ')}`);
  expect(code, stderr).toBe(0);
  return stdout;
}

beforeAll(async () => {
  server = await startWorkerServer({ vars: { DEV_LOOPBACK_FETCH: 'true' } });
  fake = await startFakeUpstream();
  op = await startOidcProvider(`${server.issuer}/login/federated/callback`);
  const token = await fetch(new URL('/oauth/token', server.issuer), {
    method: 'POST',
    headers: { Authorization: ADMIN },
    body: new URLSearchParams({ grant_type: 'client_credentials', audience: 'urn:edge-auth:management-api', scope: 'create:connections read:connections update:clients read:users create:users' }),
  });
  adminToken = ((await token.json()) as { access_token: string }).access_token;
  for (const [name, extra] of [['fake', {}], ['fake-post', { response_mode: 'form_post' }]] as const) {
    const created = await management('POST', '/connections', { name, type: 'oidc', issuer: fake.issuer, client_id: UPSTREAM_CLIENT_ID, client_secret: UPSTREAM_CLIENT_SECRET, ...extra });
    expect(created.status, await created.clone().text()).toBe(201);
  }
  // As the operator guide does it: the CLI, with the secret on standard input.
  const created = await cli(
    ['connections', 'create', '--name', 'op', '--type', 'oidc', '--issuer', op.issuer, '--display-name', 'Local OP', '--client-id', UPSTREAM_CLIENT_ID, '--client-secret-stdin', '--json'],
    UPSTREAM_CLIENT_SECRET,
  );
  expect(JSON.parse(created)).toMatchObject({ name: 'op', client_secret_set: true, callback_url: `${server.issuer}/login/federated/callback` });
  expect(created).not.toContain(UPSTREAM_CLIENT_SECRET);
  await cli(['clients', 'update', 'demo-app', '--connection', 'op', '--connection', 'fake', '--connection', 'fake-post']);
}, 120_000);

afterAll(async () => {
  await Promise.all([server?.close(), fake?.close(), op?.close()]);
});

describe('signing in through an upstream', () => {
  it('creates a user at the first sign-in, finds it again at the next, and shows the identity in the Management API', async () => {
    fake.behaviour = { subject: 'alice-upstream', email: 'alice.fed@example.com', emailVerified: true };
    const browser = new Browser();
    const upstreamUrl = await startAt(browser, 'fake');
    expect(upstreamUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(upstreamUrl.searchParams.get('nonce')).toBeTruthy();
    const back = await callback(browser, upstreamUrl);
    expect(back.status).toBe(303);
    expect(back.headers.get('Location')).toMatch(/^com\.example\.demo:\/callback\?code=/);
    const firstTokens = await redeem(back.headers.get('Location')!);
    const first = subOf(firstTokens.id_token);
    // RFC 8176: the ID token says the person signed in through a federated provider.
    expect(JSON.parse(Buffer.from(firstTokens.id_token.split('.')[1] ?? '', 'base64url').toString()).amr).toEqual(['fed']);

    const again = new Browser();
    const second = await callback(again, await startAt(again, 'fake'));
    expect(subOf((await redeem(second.headers.get('Location')!)).id_token)).toBe(first);

    const user = (await (await management('GET', `/users/${first}`)).json()) as { email: string; email_verified: boolean; identities: { connection: string; subject: string }[] };
    expect(user).toMatchObject({ email: 'alice.fed@example.com', email_verified: true });
    expect(user.identities).toEqual([expect.objectContaining({ connection: 'fake', subject: 'alice-upstream' })]);
  });

  it('signs in through oidc-provider, its login and consent pages included', async () => {
    const browser = new Browser();
    let next = await browser.fetch((await startAt(browser, 'op')).href);
    // oidc-provider's development pages: a login form (any login), then a consent form.
    for (let step = 0; step < 10 && !next.headers.get('Location')?.startsWith(server.issuer); step++) {
      if (next.status === 200) {
        const page = await next.text();
        const action = /action="([^"]+)"/.exec(page)?.[1] ?? '';
        const fields = new URLSearchParams(
          [...page.matchAll(/<input[^>]*>/g)].map(([tag]) => [/name="([^"]+)"/.exec(tag)?.[1] ?? '', /value="([^"]*)"/.exec(tag)?.[1] ?? '']),
        );
        if (fields.has('login')) fields.set('login', 'op-person@example.com');
        if (fields.has('password')) fields.set('password', 'anything');
        next = await browser.fetch(new URL(action, op.issuer).href, { method: 'POST', headers: FORM, body: fields });
      } else next = await browser.fetch(new URL(next.headers.get('Location') ?? '', op.issuer).href);
    }
    const back = await browser.fetch(next.headers.get('Location') ?? '');
    expect(back.headers.get('Location')).toMatch(/^com\.example\.demo:\/callback\?code=/);
    const sub = subOf((await redeem(back.headers.get('Location')!)).id_token);
    const user = (await (await management('GET', `/users/${sub}`)).json()) as { email: string; identities: { connection: string }[] };
    expect(user.email).toBe('op-person@example.com');
    expect(user.identities.map((identity) => identity.connection)).toEqual(['op']);
  });

  it('takes a form_post answer: a cross-site POST without cookies, then our own GET with them', async () => {
    fake.behaviour = { subject: 'post-person', email: 'post.person@example.com', emailVerified: true };
    const browser = new Browser();
    const upstreamUrl = await startAt(browser, 'fake-post');
    expect(upstreamUrl.searchParams.get('response_mode')).toBe('form_post');
    const answer = new URL((await browser.fetch(upstreamUrl.href)).headers.get('Location') ?? '');
    // The upstream's page posts cross-site: SameSite=Lax cookies stay behind.
    const posted = await fetch(new URL('/login/federated/callback', server.issuer), {
      method: 'POST', headers: { ...FORM, Origin: fake.issuer }, body: answer.searchParams, redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    const location = posted.headers.get('Location') ?? '';
    expect(location).toMatch(/^\/login\/federated\/callback\?posted=/);
    expect(location).not.toContain(answer.searchParams.get('code'));
    const back = await browser.fetch(location);
    expect(back.headers.get('Location')).toMatch(/^com\.example\.demo:\/callback\?code=/);
  });
});

describe('refused upstream answers', () => {
  const refused = async (behaviour: FakeUpstream['behaviour'], code: string) => {
    fake.behaviour = behaviour;
    const browser = new Browser();
    await expectRefusedPage(await callback(browser, await startAt(browser, 'fake')), code);
  };

  it('a wrong nonce', () => refused({ subject: 'x', claims: { nonce: 'another-nonce' } }, 'refused'));
  it('a wrong iss in the authorization response (RFC 9207)', () => refused({ subject: 'x', responseIss: 'http://127.0.0.1:1/' }, 'refused'));
  it('an ID token from another issuer', () => refused({ subject: 'x', claims: { iss: 'http://127.0.0.1:1' } }, 'refused'));
  it('an expired ID token', () => refused({ subject: 'x', claims: { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 } }, 'refused'));
  it('an ID token for another audience', () => refused({ subject: 'x', claims: { aud: 'someone-else' } }, 'refused'));
  it('the upstream denies', () => refused({ subject: 'x', authorizationError: 'access_denied' }, 'denied'));
  it('the upstream token endpoint fails', () => refused({ subject: 'x', tokenEndpointDown: true }, 'refused'));
  it('the upstream token endpoint times out', () => refused({ subject: 'x', tokenEndpointHangs: true }, 'unavailable'), 20_000);

  it('a replayed state: the same answer a second time, with the same cookies, reaches no upstream', async () => {
    fake.behaviour = { subject: 'replay-person', email: 'replay@example.com', emailVerified: true };
    const browser = new Browser();
    const answer = await browser.fetch((await startAt(browser, 'fake')).href);
    const saved = new Map(browser.cookies());
    const callbackUrl = answer.headers.get('Location') ?? '';
    expect((await browser.fetch(callbackUrl)).status).toBe(303);
    const redeemed = fake.redeemed;
    // An attacker holding the first cookies replays the whole answer.
    browser.jars.set(new URL(server.issuer).origin, saved);
    await expectRefusedPage(await browser.fetch(callbackUrl), 'expired');
    expect(fake.redeemed).toBe(redeemed);
  });
});

describe('linking and unlinking', () => {
  it('links a verified upstream address to the existing account only after its password, and unlinks on the account page', async () => {
    const created = await management('POST', '/users', { email: 'linda@example.com', password: 'linda-password-1', email_verified: true });
    const { id } = (await created.json()) as { id: string };
    fake.behaviour = { subject: 'linda-upstream', email: 'linda@example.com', emailVerified: true };
    const browser = new Browser();
    const page = await callback(browser, await startAt(browser, 'fake'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('action="/login/federated/link"');
    const link = (password: string) =>
      browser.fetch('/login/federated/link', { method: 'POST', headers: { ...FORM, Origin: server.issuer }, body: new URLSearchParams({ password }) });
    expect((await link('wrong-password')).status).toBe(401);
    expect(((await (await management('GET', `/users/${id}`)).json()) as { identities: unknown[] }).identities).toEqual([]);
    const linked = await link('linda-password-1');
    expect(linked.headers.get('Location')).toMatch(/^com\.example\.demo:\/callback\?code=/);
    expect(subOf((await redeem(linked.headers.get('Location')!)).id_token)).toBe(id);

    // Next time the upstream alone signs in to the same account.
    const later = new Browser();
    const direct = await callback(later, await startAt(later, 'fake'));
    expect(subOf((await redeem(direct.headers.get('Location')!)).id_token)).toBe(id);

    const account = await (await later.fetch('/account')).text();
    expect(account).toContain('action="/account/identities/unlink"');
    const exported = (await (await later.fetch('/account/export')).json()) as { identities: { connection: string; subject: string }[] };
    expect(exported.identities).toEqual([expect.objectContaining({ connection: 'fake', subject: 'linda-upstream' })]);
    const connectionId = /name="connection_id" value="([^"]+)"/.exec(account)?.[1] ?? '';
    const unlinked = await later.fetch('/account/identities/unlink', {
      method: 'POST', headers: { ...FORM, Origin: server.issuer }, body: new URLSearchParams({ connection_id: connectionId, subject: 'linda-upstream' }),
    });
    expect(unlinked.headers.get('Location')).toBe('/account?done=identity_unlinked');
    expect(((await (await management('GET', `/users/${id}`)).json()) as { identities: unknown[] }).identities).toEqual([]);
  });

  it('refuses an unverified upstream address that has an account, and keeps a password-less user’s only identity', async () => {
    await management('POST', '/users', { email: 'unverified-match@example.com', password: 'some-password-1', email_verified: true });
    fake.behaviour = { subject: 'sneaky', email: 'unverified-match@example.com', emailVerified: false };
    const browser = new Browser();
    await expectRefusedPage(await callback(browser, await startAt(browser, 'fake')), 'email_taken');

    // Without an account, an unverified address is not taken either: the new user gets a placeholder,
    // so the mailbox's owner can still sign up with it and no reset can merge into this account.
    fake.behaviour = { subject: 'unvouched', email: 'unvouched@example.com', emailVerified: false };
    const unvouched = new Browser();
    const created = await callback(unvouched, await startAt(unvouched, 'fake'));
    expect(created.status).toBe(303);
    const sub = subOf((await redeem(created.headers.get('Location')!)).id_token);
    const user = (await (await management('GET', `/users/${sub}`)).json()) as { email: string; email_verified: boolean };
    expect(user.email).toMatch(/@fake\.federated\.invalid$/);
    expect(user.email_verified).toBe(false);

    fake.behaviour = { subject: 'only-upstream', email: 'only.upstream@example.com', emailVerified: true };
    const only = new Browser();
    await callback(only, await startAt(only, 'fake'));
    const account = await (await only.fetch('/account')).text();
    const connectionId = /name="connection_id" value="([^"]+)"/.exec(account)?.[1] ?? '';
    const refusedUnlink = await only.fetch('/account/identities/unlink', {
      method: 'POST', headers: { ...FORM, Origin: server.issuer }, body: new URLSearchParams({ connection_id: connectionId, subject: 'only-upstream' }),
    });
    expect(refusedUnlink.status).toBe(400);
    expect(await refusedUnlink.text()).toContain('only way to sign in');
  });
});
