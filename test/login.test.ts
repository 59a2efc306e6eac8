import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DEMO_EMAIL, DEMO_REDIRECT, ISSUER } from './helpers/fixtures';
import { call, cookieFrom, form, LOGIN_COOKIE, SESSION_COOKIE } from './helpers/http';
import { authorizePath, defaultAuthorization, startLogin, submitLogin } from './helpers/flow';
import { expectPageHeaders } from './helpers/assertions';
import { staticUrl } from '../src/views/static-files';

describe('login page', () => {
  it('renders a labelled form for the pending request, with anti-framing headers and only its own nonce\'d script', async () => {
    const { params } = await defaultAuthorization();
    const authorized = await call(authorizePath(params));
    const page = await call('/login', { headers: { Cookie: cookieFrom(authorized) } });
    expect(page.status).toBe(200);
    expectPageHeaders(page);
    const html = await page.text();
    expect(html).toContain('<title>Sign in · Demo App</title>');
    expect(html).toContain('to continue to Demo App');
    expect(html).toContain('<label for="email">');
    expect(html).toContain('<label for="password">');
    const csp = page.headers.get('Content-Security-Policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    // The shared stylesheet, cached by the browser; no inline style without a brand colour.
    expect(html).toContain(`<link rel="stylesheet" href="${staticUrl('pages.css')}">`);
    expect(html).not.toContain('<style');
    // Show-password is an enhancement: the toggle ships hidden, and only the nonce'd script shows it.
    expect(csp).toContain(`script-src 'nonce-${nonce}';`);
    expect(html.match(/<script[^>]*>/g)).toEqual([`<script nonce="${nonce}" src="${staticUrl('show-password.js')}">`, `<script nonce="${nonce}" src="${staticUrl('passkeys.js')}">`]);
    expect(html).toMatch(/<button type="button" class="reveal" aria-controls="password" aria-pressed="false" hidden>/);
    // No client logo in the seed: the header shows the app's initial.
    expect(html).toContain('<span class="mark" aria-hidden="true">D</span>');
    expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  });

  it('shows an error page when the browser has no pending request', async () => {
    const response = await call('/login');
    expect(response.status).toBe(400);
    expectPageHeaders(response);
    expect(await response.text()).toContain('expired');
  });

  it('refuses a tampered or foreign cookie', async () => {
    const pending = await startLogin();
    const value = pending.cookie.split('=')[1]!;
    const flipped = `${LOGIN_COOKIE}=${value.slice(0, 20)}${value[20] === 'A' ? 'B' : 'A'}${value.slice(21)}`;
    expect((await call('/login', { headers: { Cookie: flipped } })).status).toBe(400);
    expect((await submitLogin({ ...pending, cookie: flipped })).status).toBe(400);
  });
});

describe('login: credentials', () => {
  it('answers a wrong password and an unknown account alike, with the form again', async () => {
    const pending = await startLogin();
    const wrong = await submitLogin(pending, { password: 'not-the-password' });
    const unknown = await submitLogin(pending, { email: 'nobody@example.com' });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('Location')).toBeNull();
      expectPageHeaders(response);
      expect(await response.text()).toContain('Incorrect email or password.');
    }
    // A failed attempt does not spend the pending request.
    expect((await submitLogin(pending)).status).toBe(303);
  });

  it('matches the email case-insensitively', async () => {
    const pending = await startLogin();
    expect((await submitLogin(pending, { email: '  Demo@EXAMPLE.com ' })).status).toBe(303);
  });

  it('asks again for empty or oversized fields without hashing them', async () => {
    const pending = await startLogin();
    expect((await submitLogin(pending, { password: '' })).status).toBe(400);
    expect((await submitLogin(pending, { password: 'x'.repeat(1025) })).status).toBe(400);
    expect((await submitLogin(pending, { email: `${'a'.repeat(250)}@example.com` })).status).toBe(400);
  });

  it('escapes what it echoes back', async () => {
    const pending = await startLogin();
    const response = await submitLogin(pending, { email: '"><script>alert(1)</script>', password: 'x' });
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });
});

describe('login: success (RFC 6749 section 4.1.2, RFC 9207)', () => {
  it('redirects to the app with code, state and iss, and clears the pending request', async () => {
    const pending = await startLogin();
    const response = await submitLogin(pending);
    expect(response.status).toBe(303);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    const location = response.headers.get('Location')!;
    expect(location.startsWith(`${DEMO_REDIRECT}?`)).toBe(true);
    const params = new URL(location).searchParams;
    expect(params.get('code')).toMatch(/^user_demo\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toBe('state-123');
    expect(params.get('iss')).toBe(ISSUER);
    const cleared = response.headers.getSetCookie().find((c) => c.startsWith(`${LOGIN_COOKIE}=`))!;
    expect(cleared).toMatch(/Max-Age=0/);
  });

  it('starts the single sign-on session in the same response (regression: the cookie was set after the response was built)', async () => {
    const response = await submitLogin(await startLogin());
    const session = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(session).toMatch(/^__Host-edge-auth-session=user_demo\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('leaves out state when the app sent none', async () => {
    const pending = await startLogin({ state: undefined });
    const location = new URL((await submitLogin(pending)).headers.get('Location')!);
    expect(location.searchParams.has('state')).toBe(false);
  });

  it('issues one code per authorization request: the same cookie cannot sign in twice', async () => {
    const pending = await startLogin();
    expect((await submitLogin(pending)).status).toBe(303);
    const again = await submitLogin(pending);
    expect(again.status).toBe(400);
    expect(again.headers.get('Location')).toBeNull();
  });
});

describe('login: cross-site request forgery', () => {
  it('refuses a post from another origin', async () => {
    const pending = await startLogin();
    const response = await submitLogin(pending, {}, { Origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('accepts Origin: null, which browsers send from a no-referrer page, and our own origin', async () => {
    expect((await submitLogin(await startLogin(), {}, { Origin: 'null' })).status).toBe(303);
    expect((await submitLogin(await startLogin(), {}, { Origin: ISSUER })).status).toBe(303);
  });

  it('refuses a post whose request id is not the one of this browser’s pending request', async () => {
    const pending = await startLogin();
    const other = await startLogin();
    expect((await submitLogin(pending, { request_id: other.requestId })).status).toBe(400);
    expect((await submitLogin(pending, { request_id: '' })).status).toBe(400);
  });

  it('refuses a post without the cookie', async () => {
    const pending = await startLogin();
    expect((await submitLogin({ ...pending, cookie: '' })).status).toBe(400);
  });
});

describe('login: malformed posts get a page, never a 5xx', () => {
  it.each([
    ['a JSON body', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: DEMO_EMAIL }) }],
    ['a repeated field', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'email=a&email=b' }],
    ['an oversized body', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `password=${'x'.repeat(20_000)}` }],
    ['invalid UTF-8', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new Uint8Array([0x65, 0x3d, 0xff, 0xfe]) }],
  ])('%s', async (_name, init) => {
    const pending = await startLogin();
    const response = await call('/login', {
      method: 'POST',
      ...init,
      headers: { ...init.headers, Cookie: pending.cookie },
    });
    expect(response.status).toBe(400);
    expectPageHeaders(response);
  });

  it('an empty form', async () => {
    const pending = await startLogin();
    const response = await call('/login', form({}, { headers: { Cookie: pending.cookie } }));
    expect(response.status).toBe(400);
  });
});

describe('login: an unexpected failure', () => {
  it('becomes a generic page with no internals', async () => {
    await env.DB.prepare(`INSERT OR IGNORE INTO users (id, email, password_hash) VALUES ('user_bad', 'bad@example.com', 'md5$x')`).run();
    const response = await submitLogin(await startLogin(), { email: 'bad@example.com' });
    expect(response.status).toBe(500);
    expectPageHeaders(response);
    const html = await response.text();
    expect(html).toContain('Something went wrong');
    expect(html).not.toMatch(/PasswordHashError|at .*\.ts|md5/);
  });
});
