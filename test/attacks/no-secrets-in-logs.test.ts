/**
 * Issue 4: no password, code, verifier, token, cookie or client secret ever reaches a log line.
 * The worker runs in the test's isolate, so spying on `console` sees every line it writes; a whole
 * flow with its failure paths runs under the spy. The audit rows in D1 are checked the same way.
 */
import { env } from 'cloudflare:workers';
import { freshIp } from '../helpers/values';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { DEMO_API_BASIC, DEMO_CLAIMED_REDIRECT, DEMO_REDIRECT } from '../helpers/fixtures';
import { call, cookieFrom, form, LOGIN_COOKIE, SESSION_COOKIE } from '../helpers/http';
import { authorizePath, defaultAuthorization, introspect, pushedAuthorizePath, refresh, startLogin, submitLogin } from '../helpers/flow';
import { insertUsers } from '../helpers/storage';

const EMAIL = 'logs@example.com';
const PASSWORD = 'Logs-Correct-Horse-Battery-Staple-7';
const WRONG_PASSWORD = 'Logs-Wrong-Guess-Tr0ub4dor&3';
const CLIENT_SECRET = 'demo-api-secret';
/** Each sign-in from an address of its own, so the file stays under the per-network limit. */
const ip = () => ({ 'CF-Connecting-IP': freshIp() });
const SCOPE = 'openid profile email offline_access read:items';
const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

const lines: string[] = [];
const secrets = new Map<string, string>();
let spies: MockInstance[] = [];

function serialise(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ''}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Remembers a secret and, for `<id>.<secret>` handles and JWTs, the parts that are secret on their own. */
function remember(label: string, value: string | undefined | null): void {
  expect(value, label).toBeTruthy();
  secrets.set(label, value!);
  const parts = value!.split('.');
  if (parts.length === 2 && parts[1]!.length >= 32) secrets.set(`${label} (secret part)`, parts[1]!);
  if (parts.length === 3) secrets.set(`${label} (signature)`, parts[2]!);
}

function cookieValue(response: Response, name: string): string {
  return cookieFrom(response, name).slice(name.length + 1);
}

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
}

async function exchange(code: string, verifier: string, label: string, redirectUri = DEMO_REDIRECT): Promise<Tokens> {
  const response = await call(
    '/oauth/token',
    form({ grant_type: 'authorization_code', client_id: 'demo-app', code, redirect_uri: redirectUri, code_verifier: verifier }),
  );
  expect(response.status).toBe(200);
  const tokens = (await response.json()) as Tokens;
  remember(`${label} access token`, tokens.access_token);
  remember(`${label} refresh token`, tokens.refresh_token);
  remember(`${label} ID token`, tokens.id_token);
  return tokens;
}

beforeAll(async () => {
  await insertUsers({ [EMAIL]: PASSWORD });
  await env.DB.prepare(`INSERT OR IGNORE INTO users (id, email, password_hash) VALUES ('user_logs_broken', 'logs-broken@example.com', 'md5$x')`).run();
  spies = METHODS.map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(serialise).join(' '));
    }),
  );
});

afterAll(() => {
  for (const spy of spies) spy.mockRestore();
});

describe('no secret in any log line', () => {
  it('through sign-in, token exchange, refresh, reuse detection, revocation, introspection, userinfo and logout', async () => {
    remember('password', PASSWORD);
    remember('wrong password', WRONG_PASSWORD);
    remember('client secret', CLIENT_SECRET);

    // 1. /authorize, and the login page.
    const pending = await startLogin({ scope: SCOPE });
    remember('login cookie', pending.cookie.slice(LOGIN_COOKIE.length + 1));
    remember('code verifier', pending.verifier);

    // 2. A failed login, then an unexpected failure (a broken stored hash is logged as an error).
    expect((await submitLogin(pending, { email: EMAIL, password: WRONG_PASSWORD }, ip())).status).toBe(401);
    expect((await submitLogin(pending, { email: 'logs-broken@example.com', password: WRONG_PASSWORD }, ip())).status).toBe(500);

    // 3. The login.
    const loggedIn = await submitLogin(pending, { email: EMAIL, password: PASSWORD }, ip());
    expect(loggedIn.status).toBe(303);
    const session = cookieValue(loggedIn, SESSION_COOKIE);
    remember('session cookie', session);
    const code = new URL(loggedIn.headers.get('Location')!).searchParams.get('code')!;
    remember('code', code);

    // 4. The token exchange, with a refresh token; then a replay of the code (logged as an event).
    const first = await exchange(code, pending.verifier, 'first');

    // 5. A refresh, then 6. reuse of the rotated-out token, which revokes the family.
    const refreshed = await refresh(first.refresh_token);
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as Tokens;
    remember('refreshed access token', second.access_token);
    remember('refreshed refresh token', second.refresh_token);
    remember('refreshed ID token', second.id_token);
    expect((await refresh(first.refresh_token)).status).toBe(400);

    // A second grant through single sign-on, for revocation, introspection and userinfo.
    const { params, verifier } = await defaultAuthorization({ scope: SCOPE, redirect_uri: DEMO_CLAIMED_REDIRECT });
    remember('second code verifier', verifier);
    const sso = await call(authorizePath(params), { headers: { Cookie: `${SESSION_COOKIE}=${session}` } });
    const secondCode = new URL(sso.headers.get('Location')!).searchParams.get('code')!;
    remember('second code', secondCode);
    const live = await exchange(secondCode, verifier, 'second grant', DEMO_CLAIMED_REDIRECT);
    // A replayed code and token requests with wrong or misplaced secrets: failure paths log too.
    expect((await call('/oauth/token', form({ grant_type: 'authorization_code', client_id: 'demo-app', code, redirect_uri: 'com.example.demo:/callback', code_verifier: pending.verifier }))).status).toBe(400);
    expect((await call('/oauth/token', form({ grant_type: 'refresh_token', client_id: 'demo-app', client_secret: CLIENT_SECRET, refresh_token: live.refresh_token }))).status).toBe(401);
    expect((await call('/oauth/token', form({ grant_type: 'refresh_token', refresh_token: live.refresh_token }, { headers: { Authorization: DEMO_API_BASIC } }))).status).toBe(400);
    expect((await call('/oauth/token', form({ grant_type: 'refresh_token', client_id: 'demo-app', refresh_token: `${live.refresh_token.split('.').slice(0, 2).join('.')}.${'x'.repeat(43)}` }))).status).toBe(400);

    // 8. Introspection by the API, with its secret, of both tokens; 9. userinfo.
    expect(await (await introspect(live.access_token)).json()).toMatchObject({ active: true });
    // A resource server learns nothing of a refresh token (issue 12, finding 8); the path still logs.
    expect(await (await introspect(live.refresh_token)).json()).toEqual({ active: false });
    expect((await call('/oauth/introspect', form({ token: live.access_token, client_id: 'demo-api', client_secret: CLIENT_SECRET }))).status).toBe(200);
    expect((await call('/oauth/introspect', form({ token: live.access_token }, { headers: { Authorization: `Basic ${btoa('demo-api:wrong-secret')}` } }))).status).toBe(401);
    expect((await call('/userinfo', { headers: { Authorization: `Bearer ${live.access_token}` } })).status).toBe(200);
    expect((await call('/userinfo', { headers: { Authorization: `Bearer ${live.id_token}` } })).status).toBe(401);

    // 7. Revocation of the access token, then of the refresh token.
    expect((await call('/oauth/revoke', form({ token: live.access_token, client_id: 'demo-app' }))).status).toBe(200);
    expect((await call('/oauth/revoke', form({ token: live.refresh_token, client_id: 'demo-app' }))).status).toBe(200);

    // A pushed authorization request (RFC 9126): its request_uri stands for the request, so it
    // stays out of the log like a code; used, replayed, and a push with a wrong secret.
    const toPush = await defaultAuthorization({ scope: SCOPE });
    remember('pushed code verifier', toPush.verifier);
    const pushedResponse = await call('/par', form(toPush.params as Record<string, string>));
    expect(pushedResponse.status).toBe(201);
    const { request_uri: requestUri } = (await pushedResponse.json()) as { request_uri: string };
    remember('request_uri', requestUri.slice('urn:ietf:params:oauth:request_uri:'.length));
    expect((await call(pushedAuthorizePath('demo-app', requestUri))).status).toBe(302);
    expect((await call(pushedAuthorizePath('demo-app', requestUri))).status).toBe(400);
    remember('wrong pushed secret', 'wrong-par-secret');
    expect((await call('/par', form({ ...(toPush.params as Record<string, string>), client_id: 'demo-api', client_secret: 'wrong-par-secret' }))).status).toBe(401);

    // 10. Logout: a confirmation page without a hint (sealed value), then with the hint.
    const confirm = await call('/logout', { headers: { Cookie: `${SESSION_COOKIE}=${session}` } });
    remember('logout confirmation', /name="confirmation" value="([^"]+)"/.exec(await confirm.text())?.[1]);
    const loggedOut = await call(
      `/logout?${new URLSearchParams({ id_token_hint: live.id_token, post_logout_redirect_uri: 'com.example.demo:/signed-out', state: 'bye' })}`,
      { headers: { Cookie: `${SESSION_COOKIE}=${session}` } },
    );
    expect(loggedOut.status).toBe(303);

    // The spy saw the worker's lines: a test that captured nothing would prove nothing.
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(lines.join('\n')).toContain('demo-app');

    const leaks = [...secrets].flatMap(([label, secret]) =>
      lines.filter((line) => line.includes(secret)).map((line) => `${label} in: ${line.slice(0, 200)}`),
    );
    expect(leaks).toEqual([]);

    // The audit trail's D1 rows (written after each response, via waitUntil) are held to the same rule.
    const rows = await vi.waitFor(
      async () => {
        const { results } = await env.DB.prepare('SELECT * FROM audit_events').all();
        expect(results.length).toBeGreaterThanOrEqual(8);
        return results.map((row) => JSON.stringify(row));
      },
      { timeout: 5000, interval: 20 },
    );
    const stored = [...secrets].flatMap(([label, secret]) => rows.filter((row) => row.includes(secret)).map((row) => `${label} in: ${row.slice(0, 200)}`));
    expect(stored).toEqual([]);
  });
});
