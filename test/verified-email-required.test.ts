/**
 * Per-client `require_verified_email`: a user whose address is not confirmed gets the "confirm
 * your email" page instead of a code, with resend (limited) and continue; the link in the mail,
 * used in the same browser, finishes the authorization. Neither consent nor single sign-on nor
 * prompt=none get around it.
 */
import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/crypto/password';
import { clearRegistryCache } from '../src/db/registry';
import { PBKDF2_FAST } from './helpers/fixtures';
import { authorizePath, defaultAuthorization, redeemForTokens, startLogin, submitLogin, type AuthorizationParams } from './helpers/flow';
import { call, form, LOGIN_COOKIE, SESSION_COOKIE, setCookieFor } from './helpers/http';
import { linkIn, mailTo } from './helpers/mailbox';
import { insertClient } from './helpers/storage';
import { freshIp, unique } from './helpers/values';

const PASSWORD = 'verify-me-please';
const REDIRECT = 'com.example.verify:/callback';
const APP: AuthorizationParams = { client_id: 'verify-app', redirect_uri: REDIRECT, scope: 'openid email' };
const CONSENT_APP: AuthorizationParams = { client_id: 'verify-consent-app', redirect_uri: REDIRECT, scope: 'openid email read:items' };

beforeAll(async () => {
  for (const id of ['verify-app', 'verify-consent-app']) {
    await insertClient({ id, redirectUris: [REDIRECT], scopes: ['openid', 'email', 'read:items', 'offline_access'] });
  }
  await env.DB.prepare("UPDATE clients SET require_verified_email = 1 WHERE id IN ('verify-app', 'verify-consent-app')").run();
  await env.DB.prepare("UPDATE clients SET require_consent = 1 WHERE id = 'verify-consent-app'").run();
  // Silent single sign-on for verify-app, so /authorize itself meets the rule.
  await env.DB.prepare("UPDATE clients SET sso_confirmation = 'never' WHERE id = 'verify-app'").run();
  clearRegistryCache();
});

/** A user of this file's own, its address confirmed or not. */
async function newUser(verified: boolean): Promise<string> {
  const email = `verify-${unique()}@example.com`;
  await env.DB.prepare('INSERT INTO users (id, email, email_verified, password_hash) VALUES (?, ?, ?, ?)')
    .bind(`user_${unique()}`, email, verified ? 1 : 0, await hashPassword(PASSWORD, PBKDF2_FAST))
    .run();
  return email;
}

/** The browser's cookies: each response's Set-Cookie replaces the one of that name. */
class Browser {
  private readonly cookies = new Map<string, string>();
  take(response: Response): Response {
    for (const name of [LOGIN_COOKIE, SESSION_COOKIE]) {
      const header = setCookieFor(response, name);
      if (header) this.cookies.set(name, header.split(';')[0]!);
    }
    return response;
  }
  get header(): string {
    return [...this.cookies.values()].join('; ');
  }
  async get(path: string): Promise<Response> {
    return this.take(await call(path, { headers: { Cookie: this.header } }));
  }
  async post(path: string, fields: Record<string, string>): Promise<Response> {
    return this.take(await call(path, form(fields, { headers: { Cookie: this.header, 'CF-Connecting-IP': freshIp() } })));
  }
}

/** Signs in on the client's login form; the browser keeps the cookies. */
async function signInAt(app: AuthorizationParams, email: string) {
  const pending = await startLogin(app);
  const browser = new Browser();
  browser.take(new Response(null, { headers: { 'Set-Cookie': `${pending.cookie}; Path=/` } }));
  const answered = browser.take(await submitLogin(pending, { email, password: PASSWORD }, { 'CF-Connecting-IP': freshIp() }));
  return { pending, browser, answered };
}

const requestIdOf = async (page: Response) => /name="request_id" value="([^"]+)"/.exec(await page.text())![1]!;

describe('a client that requires a confirmed address', () => {
  it('sends an unconfirmed user to "confirm your email", with a link by mail, and no code', async () => {
    const email = await newUser(false);
    const { answered, browser } = await signInAt(APP, email);
    expect(answered.status).toBe(303);
    expect(answered.headers.get('Location')).toBe('/verify-email/pending');
    const page = await browser.get('/verify-email/pending');
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('Confirm your email');
    expect(text).toContain(email);
    await linkIn(email, '/verify-email');
    const audit = await env.DB.prepare("SELECT event FROM audit_events WHERE event = 'code_issued' AND user_id = (SELECT id FROM users WHERE email = ?)").bind(email).all();
    expect(audit.results).toHaveLength(0);
  });

  it('continues only once the link was used, then issues a code whose ID token says email_verified', async () => {
    const email = await newUser(false);
    const { pending, browser } = await signInAt(APP, email);
    const requestId = await requestIdOf(await browser.get('/verify-email/pending'));

    const early = await browser.post('/verify-email/continue', { request_id: requestId });
    expect(early.status).toBe(200);
    expect(await early.text()).toContain('not confirmed yet');
    // Pressing continue too early sends no second mail.
    expect(await mailTo(email)).toHaveLength(1);

    const link = await linkIn(email, '/verify-email');
    const token = /name="token" value="([^"]+)"/.exec(await (await call(`${link.pathname}${link.search}`)).text())![1]!;
    // The link used in the same browser finishes the authorization at once.
    const confirmed = await browser.post('/verify-email', { token });
    expect(confirmed.status).toBe(303);
    const location = new URL(confirmed.headers.get('Location')!);
    expect(`${location.protocol}${location.pathname}`).toBe(REDIRECT);
    const tokens = await redeemForTokens({ code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: REDIRECT, location }, { client_id: 'verify-app' });
    expect(decodeJwt(tokens.id_token!).sub).toMatch(/^user_/);
    const userinfo = await call('/userinfo', { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(await userinfo.json()).toMatchObject({ email, email_verified: true });
  });

  it('used in another browser, the link confirms the address; the waiting page then continues', async () => {
    const email = await newUser(false);
    const { browser } = await signInAt(APP, email);
    const requestId = await requestIdOf(await browser.get('/verify-email/pending'));
    const link = await linkIn(email, '/verify-email');
    const token = /name="token" value="([^"]+)"/.exec(await (await call(`${link.pathname}${link.search}`)).text())![1]!;
    const elsewhere = await call('/verify-email', form({ token }));
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.text()).toContain('Email confirmed');

    const continued = await browser.post('/verify-email/continue', { request_id: requestId });
    expect(continued.status).toBe(303);
    expect(new URL(continued.headers.get('Location')!).searchParams.get('code')).toBeTruthy();
  });

  it('a confirmed user gets the code at once', async () => {
    const { answered } = await signInAt(APP, await newUser(true));
    expect(answered.status).toBe(303);
    expect(new URL(answered.headers.get('Location')!).searchParams.get('code')).toBeTruthy();
  });

  it('the consent page cannot be used to skip it', async () => {
    const email = await newUser(false);
    const { browser } = await signInAt(CONSENT_APP, email);
    const requestId = await requestIdOf(await browser.get('/verify-email/pending'));
    // The waiting request carries a signed-in user, as one waiting for consent does.
    const allowed = await browser.post('/consent', { request_id: requestId, decision: 'allow' });
    expect(allowed.status).toBe(303);
    expect(allowed.headers.get('Location')).toBe('/verify-email/pending');
  });

  it('single sign-on does not skip it, and prompt=none answers interaction_required', async () => {
    const email = await newUser(false);
    const { browser } = await signInAt(APP, email);
    const again = await defaultAuthorization(APP);
    const sso = await browser.get(authorizePath(again.params));
    expect(sso.status).toBe(302);
    expect(sso.headers.get('Location')).toBe('/verify-email/pending');

    const silent = await defaultAuthorization({ ...APP, prompt: 'none' });
    const refused = await browser.get(authorizePath(silent.params));
    const location = new URL(refused.headers.get('Location')!);
    expect(location.searchParams.get('error')).toBe('interaction_required');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('resend sends the mail again, within the per-address limit (3 a minute, the first included)', async () => {
    const email = await newUser(false);
    const { browser } = await signInAt(APP, email);
    const requestId = await requestIdOf(await browser.get('/verify-email/pending'));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await browser.post('/verify-email/resend', { request_id: requestId })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(await mailTo(email)).toHaveLength(3);
  });

  it('refuses a resend or continue without the page\'s request id, or from another site', async () => {
    const email = await newUser(false);
    const { browser } = await signInAt(APP, email);
    expect((await browser.post('/verify-email/resend', { request_id: 'forged' })).status).toBe(400);
    const foreign = await call('/verify-email/continue', form({ request_id: 'x' }, { headers: { Cookie: browser.header, Origin: 'https://evil.example' } }));
    expect(foreign.status).toBe(403);
  });
});
