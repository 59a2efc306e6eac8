import { env } from 'cloudflare:workers';
import { freshIp } from './helpers/values';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/crypto/password';
import { clearRegistryCache } from '../src/db/registry';
import { expectErrorPage } from './helpers/assertions';
import { DEMO_CLAIMED_REDIRECT, ISSUER, PBKDF2_FAST } from './helpers/fixtures';
import { call, cookieFrom, form, LOGIN_COOKIE, SESSION_COOKIE } from './helpers/http';
import { authorizePath, defaultAuthorization, type PendingLogin, redeem, startLogin, submitLogin } from './helpers/flow';

const THIRD_PARTY = { client_id: 'consent-test-app', redirect_uri: 'com.example.consenttest:/cb', scope: 'openid email read:items' };
/** Its claimed https redirect: single sign-on approves there without the one-tap page (test/attacks/silent-sso.test.ts). */
const THIRD_PARTY_SILENT = { ...THIRD_PARTY, redirect_uri: 'https://consenttest.example.com/cb' };

beforeAll(async () => {
  await env.DB.prepare(
    `INSERT OR IGNORE INTO clients (id, name, type, redirect_uris, grant_types, scopes, audiences, require_consent, logo_uri, primary_color)
     VALUES ('consent-test-app', 'Partner App', 'public', '["com.example.consenttest:/cb","https://consenttest.example.com/cb"]', '["authorization_code"]',
             '["openid","email","read:items","write:items"]', '["https://api.example.com"]', 1, 'https://partner.example.com/logo.png', '#0a7d32')`,
  ).run();
  // A user per test: consent is remembered per user, and storage is shared within this file.
  const hash = await hashPassword('consent-password', PBKDF2_FAST);
  await env.DB.batch(
    Array.from({ length: 12 }, (_, i) =>
      env.DB.prepare('INSERT OR IGNORE INTO users (id, email, password_hash) VALUES (?, ?, ?)').bind(`user_consent_${i}`, `consent${i}@example.com`, hash),
    ),
  );
  clearRegistryCache();
});

let nextUser = 0;

/** Signs in for the partner app: the login answers 303 to the consent page, the cookie re-sealed. */
async function signInAwaitingConsent(overrides = {}): Promise<{ pending: PendingLogin; cookie: string; session: string }> {
  const pending = await startLogin({ ...THIRD_PARTY, ...overrides });
  const user = { email: `consent${nextUser++}@example.com`, password: 'consent-password' };
  const response = await submitLogin(pending, user, { 'CF-Connecting-IP': freshIp() });
  expect(response.status).toBe(303);
  expect(response.headers.get('Location')).toBe('/consent');
  return { pending, cookie: cookieFrom(response), session: cookieFrom(response, SESSION_COOKIE) };
}

function decide(pending: PendingLogin, cookie: string, decision: string, requestId = pending.requestId) {
  return call('/consent', form({ request_id: requestId, decision }, { headers: { Cookie: cookie } }));
}

describe('consent for apps that require it (OIDC Core 3.1.2.4)', () => {
  it('shows what the app asks for, branded, with no script and anti-framing headers', async () => {
    const { cookie } = await signInAwaitingConsent();
    const page = await call('/consent', { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('X-Frame-Options')).toBe('DENY');
    expect(page.headers.get('Cache-Control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<title>Allow Partner App?</title>');
    expect(html).toContain('<h1>Allow Partner App?</h1>');
    expect(html).toContain(`Signed in as <strong>consent${nextUser - 1}@example.com</strong>`);
    expect(html).toContain('<li>Your email address</li>');
    expect(html).toContain('<li>See your items</li>');
    expect(html).toContain('src="https://partner.example.com/logo.png"');
    expect(html).toContain(':root{--accent:#0a7d32;--on-accent:#fff}');
    expect(html).not.toContain('<script');
  });

  it('allow: the app gets a code that redeems, and the consent is remembered for the next sign-in', async () => {
    const { pending, cookie, session } = await signInAwaitingConsent();
    const allowed = await decide(pending, cookie, 'allow');
    expect(allowed.status).toBe(303);
    const location = new URL(allowed.headers.get('Location')!);
    expect(location.href.startsWith('com.example.consenttest:/cb?')).toBe(true);
    expect(location.searchParams.get('iss')).toBe(ISSUER);
    const issued = { code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: THIRD_PARTY.redirect_uri, location };
    expect((await redeem(issued, { client_id: 'consent-test-app' })).status).toBe(200);

    // Single sign-on with the same scopes: no page at all this time.
    const { params } = await defaultAuthorization(THIRD_PARTY_SILENT);
    const again = await call(authorizePath(params), { headers: { Cookie: session } });
    expect(again.status).toBe(302);
    expect(again.headers.get('Location')!.startsWith('https://consenttest.example.com/cb?code=')).toBe(true);
    // A scope not yet allowed asks again.
    const wider = await call(authorizePath((await defaultAuthorization({ ...THIRD_PARTY_SILENT, scope: 'openid write:items' })).params), {
      headers: { Cookie: session },
    });
    expect(wider.headers.get('Location')).toBe('/consent');
  });

  it('deny: the app gets access_denied with state and iss, and no code', async () => {
    const { pending, cookie } = await signInAwaitingConsent();
    const denied = await decide(pending, cookie, 'deny');
    expect(denied.status).toBe(303);
    const params = new URL(denied.headers.get('Location')!).searchParams;
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('state-123');
    expect(params.get('iss')).toBe(ISSUER);
    expect(params.get('code')).toBeNull();
  });

  it('refuses a decision without the signed-in request, with another request id, or from another site', async () => {
    const { pending, cookie } = await signInAwaitingConsent();
    expect((await decide(pending, '', 'allow')).status).toBe(400);
    expect((await decide(pending, cookie, 'allow', 'A'.repeat(22))).status).toBe(400);
    const crossSite = await call('/consent', form({ request_id: pending.requestId, decision: 'allow' }, { headers: { Cookie: cookie, Origin: 'https://evil.example' } }));
    expect(crossSite.status).toBe(403);
    // A login cookie that was never signed in cannot skip the password.
    const notSignedIn = await startLogin(THIRD_PARTY);
    expect((await decide(notSignedIn, notSignedIn.cookie, 'allow')).status).toBe(400);
  });

  it('a request approves once: the consent cookie cannot be replayed for a second code', async () => {
    const { pending, cookie } = await signInAwaitingConsent();
    expect((await decide(pending, cookie, 'allow')).status).toBe(303);
    expect((await decide(pending, cookie, 'allow')).status).toBe(400);
  });

  it('prompt=none answers consent_required when consent is missing, and prompt=consent always asks', async () => {
    const { session } = await signInAwaitingConsent();
    const none = await call(authorizePath((await defaultAuthorization({ ...THIRD_PARTY_SILENT, scope: 'openid write:items', prompt: 'none' })).params), {
      headers: { Cookie: session },
    });
    expect(new URL(none.headers.get('Location')!).searchParams.get('error')).toBe('consent_required');
    // demo-app is first-party (no consent), but prompt=consent asks anyway.
    const asked = await call(authorizePath((await defaultAuthorization({ prompt: 'consent', redirect_uri: DEMO_CLAIMED_REDIRECT })).params), { headers: { Cookie: session } });
    expect(asked.headers.get('Location')).toBe('/consent');
    expect(asked.headers.getSetCookie().some((c) => c.startsWith(`${LOGIN_COOKIE}=`))).toBe(true);
    // Regression: allowing on that page issued no code but sent the browser back to the page.
    const page = await call('/consent', { headers: { Cookie: cookieFrom(asked, LOGIN_COOKIE) } });
    const requestId = /name="request_id" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const allowed = await call('/consent', form({ request_id: requestId, decision: 'allow' }, { headers: { Cookie: cookieFrom(asked, LOGIN_COOKIE) } }));
    expect(allowed.status).toBe(303);
    expect(allowed.headers.get('Location')!.startsWith(`${DEMO_CLAIMED_REDIRECT}?code=`)).toBe(true);
  });
});

describe('prompt=consent (OIDC Core 3.1.2.1)', () => {
  it('Allow issues the code: the page is not shown again (MCP clients send prompt=consent with offline_access)', async () => {
    // demo-app needs no consent; prompt=consent asks anyway, once.
    const pending = await startLogin({ prompt: 'consent', scope: 'openid read:items offline_access' });
    const response = await submitLogin(pending, {}, { 'CF-Connecting-IP': freshIp() });
    expect(response.headers.get('Location')).toBe('/consent');
    const allowed = await decide(pending, cookieFrom(response), 'allow');
    expect(allowed.status).toBe(303);
    const location = new URL(allowed.headers.get('Location')!);
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(location.searchParams.get('error')).toBeNull();
  });
});

describe('"Not you?" on the consent page', () => {
  it('forgets who signed in and sends the browser to the password form for the same request', async () => {
    const { pending, cookie } = await signInAwaitingConsent();
    const html = await (await call('/consent', { headers: { Cookie: cookie } })).text();
    expect(html).toContain(
      `<form class="account" method="post" action="/consent">\n<input type="hidden" name="request_id" value="${pending.requestId}">\n` +
        `Signed in as <strong>consent${nextUser - 1}@example.com</strong> · <button type="submit" name="decision" value="another_account" class="link">Not you?</button>`,
    );

    const switched = await decide(pending, cookie, 'another_account');
    expect(switched.status).toBe(303);
    expect(switched.headers.get('Location')).toBe('/login?account=another');
    expect(switched.headers.get('Cache-Control')).toBe('no-store');
    const forgotten = cookieFrom(switched);
    // Nobody is signed in for the request any more: no consent page and no decision.
    await expectErrorPage(await call('/consent', { headers: { Cookie: forgotten } }));
    await expectErrorPage(await decide(pending, forgotten, 'allow'));

    // The same request, same id, signs in with another account, which is asked in turn.
    const form = await call('/login?account=another', { headers: { Cookie: forgotten } });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain(`name="request_id" value="${pending.requestId}"`);
    const other = `consent${nextUser++}@example.com`;
    const signedIn = await submitLogin({ ...pending, cookie: forgotten }, { email: other, password: 'consent-password' }, { 'CF-Connecting-IP': freshIp() });
    expect(signedIn.headers.get('Location')).toBe('/consent');
    const asked = await call('/consent', { headers: { Cookie: cookieFrom(signedIn) } });
    expect(await asked.text()).toContain(`Signed in as <strong>${other}</strong>`);
  });

  it('is refused from another site, with another request id, or without a signed-in request', async () => {
    const { pending, cookie } = await signInAwaitingConsent();
    const crossSite = await call('/consent', form({ request_id: pending.requestId, decision: 'another_account' }, { headers: { Cookie: cookie, Origin: 'https://evil.example' } }));
    await expectErrorPage(crossSite, 403);
    await expectErrorPage(await decide(pending, cookie, 'another_account', 'A'.repeat(22)));
    const notSignedIn = await startLogin(THIRD_PARTY);
    await expectErrorPage(await decide(notSignedIn, notSignedIn.cookie, 'another_account'));
    // None of these touched the request: it can still be allowed.
    expect((await decide(pending, cookie, 'allow')).status).toBe(303);
  });
});
