/**
 * Sign-up from the login page (src/routes/signup.ts): per-client `allow_signup`, the password
 * rules, the confirmation link (sealed, expiring, single-use), enumeration safety, the limits, and
 * the return to the pending authorization request signed in.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { seal } from '../src/crypto/seal';
import { getSealingKey } from '../src/tokens/key-cache';
import { expectPageHeaders, withoutNonce } from './helpers/assertions';
import { DEMO_EMAIL } from './helpers/fixtures';
import { redeemForTokens, startLogin, type PendingLogin } from './helpers/flow';
import { call, form, SESSION_COOKIE } from './helpers/http';
import { linkIn, mailTo } from './helpers/mailbox';
import { freshIp, unique } from './helpers/values';

const PASSWORD = 'correct horse battery staple';

function signUp(pending: PendingLogin, fields: Record<string, string>, ip = freshIp()) {
  return call('/signup', form({ request_id: pending.requestId, ...fields }, { headers: { Cookie: pending.cookie, 'CF-Connecting-IP': ip } }));
}

/** The confirm form's token from the link, as the page carries it. */
async function confirmToken(link: URL): Promise<string> {
  const page = await call(`${link.pathname}${link.search}`);
  expect(page.status).toBe(200);
  return /name="token" value="([^"]+)"/.exec(await page.text())![1]!;
}

const confirm = (token: string, cookie?: string) => call('/signup/confirm', form({ token }, cookie ? { headers: { Cookie: cookie } } : {}));

describe('the login page and the sign-up form', () => {
  it('demo-app offers "Create account" and "Forgot password?"; other-app only the latter', async () => {
    const demo = await call('/login', { headers: { Cookie: (await startLogin()).cookie } });
    const demoPage = await demo.text();
    expect(demoPage).toContain('<a href="/signup">Create account</a>');
    expect(demoPage).toContain('<a href="/forgot">Forgot password?</a>');
    const other = await startLogin({ client_id: 'other-app', redirect_uri: 'com.example.other:/callback', scope: 'openid' });
    const otherPage = await (await call('/login', { headers: { Cookie: other.cookie } })).text();
    expect(otherPage).not.toContain('/signup');
    expect(otherPage).toContain('/forgot');
  });

  it('a client without allow_signup refuses the form and the post', async () => {
    const other = await startLogin({ client_id: 'other-app', redirect_uri: 'com.example.other:/callback', scope: 'openid' });
    const refused = await call('/signup', { headers: { Cookie: other.cookie } });
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain('<h1>Sign-up is not available</h1>');
    // A person reads it, in the flow's language.
    const spanish = await startLogin({ client_id: 'other-app', redirect_uri: 'com.example.other:/callback', scope: 'openid', ui_locales: 'es' });
    expect(await (await call('/signup', { headers: { Cookie: spanish.cookie } })).text()).toContain('<h1>El registro no está disponible</h1>');
    const posted = await signUp(other, { email: `x-${unique()}@example.com`, password: PASSWORD });
    expect(posted.status).toBe(404);
  });

  it('shows the form with the page security headers, the password rule beside the field', async () => {
    const pending = await startLogin();
    const response = await call('/signup', { headers: { Cookie: pending.cookie } });
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    const page = await response.text();
    expect(page).toContain('At least 8 characters');
    expect(page).toContain('autocomplete="new-password"');
  });

  it('without a pending request there is nothing to sign up for', async () => {
    expect((await call('/signup')).status).toBe(400);
  });

  it.each([
    ['too short', 'short7!', 'Use at least 8 characters.'],
    ['too long', 'x'.repeat(257), 'Use at most 256 characters.'],
    // Counted whole, in characters: never cut to a shorter password that would pass.
    ['too long in emoji', '🦘🐨'.repeat(150), 'Use at most 256 characters.'],
    ['common', 'Password123', 'This password is too common.'],
    ['a keyboard run', 'qwertyuio', 'This password is too common.'],
    ['one character repeated', 'zzzzzzzzzzzz', 'This password is too common.'],
  ])('refuses a password that is %s, saying why next to the field, and sends nothing', async (_what, password, reason) => {
    const email = `rules-${unique()}@example.com`;
    const response = await signUp(await startLogin(), { email, password });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain(reason);
    expect(page).toContain('aria-invalid="true"');
    expect(await mailTo(email)).toEqual([]);
  });

  it('refuses a password made of the email', async () => {
    const email = `kangaroo-${unique()}@example.com`;
    const response = await signUp(await startLogin(), { email, password: `${email.split('@')[0]}!!` });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Do not use your email address');
  });

  it('refuses a malformed address', async () => {
    const response = await signUp(await startLogin(), { email: 'not-an-address', password: PASSWORD });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Enter a valid email address.');
  });

  it('refuses a post from another site', async () => {
    const pending = await startLogin();
    const response = await call('/signup', form({ request_id: pending.requestId, email: `x-${unique()}@example.com`, password: PASSWORD }, { headers: { Cookie: pending.cookie, Origin: 'https://evil.example' } }));
    expect(response.status).toBe(403);
  });
});

describe('the confirmation link', () => {
  it('creates the account only when confirmed, then continues the authorization signed in, with email_verified', async () => {
    const email = `New-${unique()}@Example.com`;
    const pending = await startLogin({ scope: 'openid email profile read:items' });
    const answered = await signUp(pending, { email, password: PASSWORD, name: 'Ada Lovelace' });
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('Check your inbox');
    // Nothing stored before the link is used.
    expect(await env.DB.prepare('SELECT id FROM users WHERE email = ?').bind(email.toLowerCase()).first()).toBeNull();

    const [mail] = await mailTo(email.toLowerCase());
    expect(mail!.subject).toContain('Confirm your email');
    expect(mail!.text).not.toContain(PASSWORD);
    const link = await linkIn(email.toLowerCase(), '/signup/confirm');
    // Opening the link (a mail scanner does) creates nothing: only the button does.
    const token = await confirmToken(link);
    expect(await env.DB.prepare('SELECT id FROM users WHERE email = ?').bind(email.toLowerCase()).first()).toBeNull();

    const confirmed = await confirm(token, pending.cookie);
    expect(confirmed.status).toBe(303);
    const location = new URL(confirmed.headers.get('Location')!);
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(confirmed.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(true);

    const tokens = await redeemForTokens({ code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: pending.params.redirect_uri!, location });
    expect(decodeJwt(tokens.id_token!).sub).toMatch(/^user_/);
    const userinfo = await call('/userinfo', { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({ email: email.toLowerCase(), email_verified: true, name: 'Ada Lovelace' });
    const row = await env.DB.prepare('SELECT email_verified, name FROM users WHERE email = ?').bind(email.toLowerCase()).first();
    expect(row).toEqual({ email_verified: 1, name: 'Ada Lovelace' });
  });

  it('works once: a second use is refused and creates nothing', async () => {
    const email = `once-${unique()}@example.com`;
    await signUp(await startLogin(), { email, password: PASSWORD });
    const token = await confirmToken(await linkIn(email, '/signup/confirm'));
    const first = await confirm(token);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('Your account is ready');
    const second = await confirm(token);
    expect(second.status).toBe(400);
    expect(await second.text()).toContain('expired or was already used');
    expect((await call(`/signup/confirm?token=${token}`)).status).toBe(200);
  });

  it('in another browser (no pending request) creates the account and says to sign in', async () => {
    const email = `elsewhere-${unique()}@example.com`;
    await signUp(await startLogin(), { email, password: PASSWORD });
    const response = await confirm(await confirmToken(await linkIn(email, '/signup/confirm')));
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  });

  it('an expired link is refused (sealed with an expiry in the past)', async () => {
    const link = { email: `late-${unique()}@example.com`, name: null, passwordHash: 'x', requestId: 'r', clientId: 'demo-app', expiresAt: Date.now() - 1 };
    const token = await seal(await getSealingKey(env), 'edge-auth/signup-link/v1', link);
    expect((await call(`/signup/confirm?token=${token}`)).status).toBe(400);
    expect((await confirm(token)).status).toBe(400);
    expect(await env.DB.prepare('SELECT id FROM users WHERE email = ?').bind(link.email).first()).toBeNull();
  });

  it('an altered or foreign token is refused', async () => {
    expect((await confirm('AAAA')).status).toBe(400);
    const resetPurpose = await seal(await getSealingKey(env), 'edge-auth/reset-link/v1', { email: 'a@example.com', name: null, passwordHash: 'x', requestId: 'r', clientId: 'demo-app', expiresAt: Date.now() + 60_000 });
    expect((await confirm(resetPurpose)).status).toBe(400);
  });
});

describe('enumeration safety', () => {
  it('an existing address gets the same status and page, and a "you already have an account" mail instead', async () => {
    const fresh = `fresh-${unique()}@example.com`;
    const pendingA = await startLogin();
    const pendingB = await startLogin();
    const known = await signUp(pendingA, { email: DEMO_EMAIL, password: PASSWORD });
    const unknown = await signUp(pendingB, { email: fresh, password: PASSWORD });
    expect(known.status).toBe(unknown.status);
    const scrub = (text: string, email: string) => withoutNonce(text).replaceAll(email, 'EMAIL');
    expect(scrub(await known.text(), DEMO_EMAIL)).toBe(scrub(await unknown.text(), fresh));
    const [mail] = await mailTo(DEMO_EMAIL);
    expect(mail!.subject).toBe('You already have an account');
    expect(mail!.links.some((link) => new URL(link).pathname === '/reset')).toBe(true);
  });
});

describe('limits', () => {
  it('per address: the fourth mail to one address within a minute is refused with 429, known or not', async () => {
    const email = `limit-${unique()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await signUp(await startLogin(), { email, password: PASSWORD })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(await mailTo(email)).toHaveLength(3);
  });

  it('per network: the eleventh request from one network within a minute is refused', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    // Bounded: a slow run may cross into the platform's next one-minute window once, which starts
    // the count again; the limit must still show within two windows' worth of requests.
    while (statuses.length < 21 && !statuses.includes(429)) {
      statuses.push((await signUp(await startLogin(), { email: `net-${unique()}@example.com`, password: PASSWORD }, ip)).status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});


describe('the confirmation page', () => {
  it('lets its form lead back to the app of the pending request (CSP form-action), since confirming redirects there', async () => {
    const email = `csp-${unique()}@example.com`;
    const pending = await startLogin({ redirect_uri: 'http://127.0.0.1:4567/callback' });
    await signUp(pending, { email, password: PASSWORD });
    const link = await linkIn(email, '/signup/confirm');
    const page = await call(`${link.pathname}${link.search}`, { headers: { Cookie: pending.cookie } });
    expect(page.headers.get('Content-Security-Policy')).toContain("form-action 'self' http://127.0.0.1:4567");
  });
});
