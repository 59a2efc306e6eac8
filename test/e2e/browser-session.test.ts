import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  DEMO_EMAIL,
  DEMO_PASSWORD,
  management,
  NAVIGATION_TIMEOUT_MS,
  newAuthorization,
  redeemCode,
  signInThroughBrowser,
  submitLogin,
  useBrowserSuite,
  warnWhenSkipped,
  withPhone,
  withTimeout,
} from './browser-helpers';

warnWhenSkipped('test/e2e/browser-session.test.ts');

/** demo-app's registered post-logout URI (scripts/dev-seed.sql): a private-use scheme the browser cannot open. */
const APP_SIGNED_OUT = 'com.example.demo:/signed-out';
/** partner-app in the dev seed: third party, require_consent, brand colour #0a7d32. */
const PARTNER = 'partner-app';
const PARTNER_GREEN = 'rgb(10, 125, 50)';
const PARTNER_SCOPE = 'openid email read:items';
/** The session cookie's name on a plain-http issuer (no `__Host-` prefix, src/routes/cookie-policy.ts). */
const SESSION_COOKIE = 'edge-auth-session';

describe.skipIf(!CHROMIUM)('consent, single sign-on and logout in a real browser (Chromium, phone viewport)', () => {
  const suite = useBrowserSuite();
  const callbackUri = () => `${suite.loopback.origin}/callback`;

  /** Every document the page loads from the issuer, to prove which pages a user saw. */
  function issuerPagesSeen(page: Page, issuer: string): string[] {
    const seen: string[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.url().startsWith(issuer)) seen.push(new URL(r.url()).pathname);
    });
    return seen;
  }

  /** Signs in through the form and returns the ID token the app gets for the code. */
  async function signInForIdToken(page: Page): Promise<string> {
    const authorization = newAuthorization(suite.issuer, { redirectUri: callbackUri() });
    const query = await signInThroughBrowser(page, suite, authorization);
    const { response, body } = await redeemCode(suite.issuer, authorization, query.get('code')!);
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body.id_token!;
  }

  /** Where a new authorization request in this browser lands: on the login form when no session is live. */
  async function expectLoginFormShown(page: Page): Promise<void> {
    await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
    expect(page.url()).toBe(`${suite.issuer}/login`);
    expect(await page.getByLabel('Password', { exact: true }).isVisible()).toBe(true);
  }

  it('asks a third-party app\'s user in its brand colour; Allow returns a code, Deny (prompt=consent) returns access_denied', async () => {
    await withPhone(suite, {}, async (page) => {
      // Sign in: the answer is the consent page, not yet a redirect to the app.
      const allowed = newAuthorization(suite.issuer, { clientId: PARTNER, redirectUri: callbackUri(), scope: PARTNER_SCOPE });
      await page.goto(allowed.url);
      expect(page.url()).toBe(`${suite.issuer}/login`);
      expect(await page.locator('main').innerText()).toContain('Partner App');
      const posted = await submitLogin(page, suite.issuer, DEMO_EMAIL, DEMO_PASSWORD);
      const afterLogin = await posted.response();
      expect(afterLogin?.status()).toBe(303);
      expect(afterLogin?.headers()['location']).toBe('/consent');
      await page.waitForURL(`${suite.issuer}/consent`);

      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Allow Partner App?');
      // Each scope once, OIDC scopes in words a person understands, the API's in its own words, and the API named.
      expect(await page.getByRole('listitem').allInnerTexts()).toEqual(['Confirm who you are', 'Your email address', 'See your items']);
      expect(await page.locator('main').innerText()).toContain('Example API');
      const allow = page.getByRole('button', { name: 'Allow', exact: true });
      const deny = page.getByRole('button', { name: 'Deny', exact: true });
      expect(await allow.isVisible()).toBe(true);
      expect(await deny.isVisible()).toBe(true);
      // The brand colour fills the primary action only; Deny stays neutral.
      expect(await allow.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(PARTNER_GREEN);
      expect(await deny.evaluate((b) => getComputedStyle(b).backgroundColor)).not.toBe(PARTNER_GREEN);

      const codeArrived = suite.loopback.next('/callback');
      await allow.click();
      const granted = (await codeArrived).searchParams;
      expect(granted.get('code')).toBeTruthy();
      expect(granted.get('state')).toBe(allowed.state);
      expect(granted.get('iss')).toBe(suite.issuer);
      const { response, body } = await redeemCode(suite.issuer, allowed, granted.get('code')!);
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.scope).toBe(PARTNER_SCOPE);

      // A new request in the same browser: the session skips the password (one tap, as the loopback
      // redirect cannot prove the app's identity), and prompt=consent forces the consent page.
      const denied = newAuthorization(suite.issuer, { clientId: PARTNER, redirectUri: callbackUri(), scope: PARTNER_SCOPE, prompt: 'consent' });
      await page.goto(denied.url);
      await page.getByRole('button', { name: `Continue as ${DEMO_EMAIL}` }).click();
      await page.waitForURL(`${suite.issuer}/consent`);
      const errorArrived = suite.loopback.next('/callback');
      await page.getByRole('button', { name: 'Deny', exact: true }).click();
      // RFC 6749 section 4.1.2.1, with the state and the issuer (RFC 9207).
      const refused = (await errorArrived).searchParams;
      expect(refused.get('error')).toBe('access_denied');
      expect(refused.get('error_description')).toBeTruthy();
      expect(refused.get('state')).toBe(denied.state);
      expect(refused.get('iss')).toBe(suite.issuer);
      expect(refused.get('code')).toBeNull();
    });
  });

  it('a second /authorize from a loopback redirect asks for one tap, never the password; prompt=login shows the form', async () => {
    await withPhone(suite, {}, async (page) => {
      const first = newAuthorization(suite.issuer, { redirectUri: callbackUri() });
      const firstCode = (await signInThroughBrowser(page, suite, first)).get('code')!;
      const firstTokens = await redeemCode(suite.issuer, first, firstCode);
      expect(firstTokens.response.status).toBe(200);

      // RFC 8252 section 8.6: any app can listen on a loopback port, so the session does not answer
      // it silently: the person sees who is signed in and to which app, and taps once.
      const seen = issuerPagesSeen(page, suite.issuer);
      const callbacks = () => suite.loopback.requests.filter((url) => url.pathname === '/callback').length;
      const callbacksBefore = callbacks();
      const second = newAuthorization(suite.issuer, { redirectUri: callbackUri() });
      await page.goto(second.url);
      expect(page.url()).toBe(`${suite.issuer}/login`);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Continue to Demo App?');
      expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0);
      expect(callbacks()).toBe(callbacksBefore);
      const arrived = suite.loopback.next('/callback');
      await page.getByRole('button', { name: `Continue as ${DEMO_EMAIL}` }).click();
      const query = (await arrived).searchParams;
      expect(query.get('state')).toBe(second.state);
      expect(seen).toEqual(['/authorize', '/login', '/login/continue']);

      // The code is the same user's, and the ID token keeps the time of the one real sign-in (OIDC Core 2).
      const secondTokens = await redeemCode(suite.issuer, second, query.get('code')!);
      expect(secondTokens.response.status, JSON.stringify(secondTokens.body)).toBe(200);
      const [a, b] = [firstTokens.body.id_token!, secondTokens.body.id_token!].map((t) => decodeJwt(t));
      expect(b!.sub).toBe(a!.sub);
      expect(b!.auth_time).toBe(a!.auth_time);

      // "Use another account" shows the password form for the same request.
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      await page.getByRole('link', { name: 'Use another account' }).click();
      expect(page.url()).toBe(`${suite.issuer}/login?account=another`);
      expect(await page.getByLabel('Password', { exact: true }).isVisible()).toBe(true);

      // prompt=login: the app asks for a fresh sign-in, so the form is shown despite the session.
      const forced = newAuthorization(suite.issuer, { redirectUri: callbackUri(), prompt: 'login' });
      await page.goto(forced.url);
      expect(page.url()).toBe(`${suite.issuer}/login`);
      expect(await page.getByLabel('Email', { exact: true }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Continue' }).isVisible()).toBe(true);
    });
  });

  it('a client set to sso_confirmation=never gets its code without any page', async () => {
    const created = await management(suite.issuer, 'POST', '/clients', {
      name: 'Trusted Loopback App',
      type: 'public',
      redirect_uris: [callbackUri()],
      scopes: ['openid', 'read:items'],
      audiences: ['https://api.example.com'],
      sso_confirmation: 'never',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const clientId = created.body['id'] as string;
    await withPhone(suite, {}, async (page) => {
      await signInThroughBrowser(page, suite, newAuthorization(suite.issuer, { clientId, redirectUri: callbackUri() }));
      const seen = issuerPagesSeen(page, suite.issuer);
      const second = newAuthorization(suite.issuer, { clientId, redirectUri: callbackUri() });
      const arrived = suite.loopback.next('/callback');
      await page.goto(second.url);
      expect((await arrived).searchParams.get('state')).toBe(second.state);
      expect(seen).toEqual(['/authorize']);
    });
  });

  it('/logout without an ID token asks first; Sign out ends the session', async () => {
    await withPhone(suite, {}, async (page) => {
      await signInThroughBrowser(page, suite, newAuthorization(suite.issuer, { redirectUri: callbackUri() }));
      expect((await page.context().cookies()).map((c) => c.name)).toContain(SESSION_COOKIE);

      // A bare link cannot sign anyone out: the user confirms on our page.
      const confirm = await page.goto(`${suite.issuer}/logout`);
      expect(confirm?.status()).toBe(200);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Sign out?');
      expect((await page.context().cookies()).map((c) => c.name)).toContain(SESSION_COOKIE);

      const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${suite.issuer}/logout`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      expect((await posted).status()).toBe(200);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('You are signed out');
      expect((await page.context().cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);

      await expectLoginFormShown(page);
    });
  });

  it('/logout with id_token_hint signs out at once and returns to the app\'s registered URI with the state', async () => {
    await withPhone(suite, {}, async (page) => {
      const idToken = await signInForIdToken(page);
      const url = `${suite.issuer}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: APP_SIGNED_OUT, state: 'bye-1' })}`;

      // The browser cannot open the app's private-use scheme; the request it tries is the proof.
      const toApp = page.waitForRequest((r) => r.url().startsWith(`${APP_SIGNED_OUT}?`));
      const logout = page.waitForResponse((r) => r.url() === url);
      // The navigation itself ends in net::ERR_ABORTED when the custom scheme is handed off.
      const navigation = page.goto(url).catch((error: unknown) => String(error));
      const response = await logout;
      expect(response.status()).toBe(303);
      expect(response.headers()['location']).toBe(`${APP_SIGNED_OUT}?state=bye-1`);
      expect((await toApp).url()).toBe(`${APP_SIGNED_OUT}?state=bye-1`);
      await withTimeout(navigation, NAVIGATION_TIMEOUT_MS, 'the logout navigation');
      expect((await page.context().cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);

      await expectLoginFormShown(page);
    });
  });

  it('/logout with id_token_hint lands on a loopback post-logout URI registered with its port', async () => {
    const signedOut = `${suite.loopback.origin}/signed-out`;
    // Loopback post-logout URIs are matched exactly, port included.
    const patched = await management(suite.issuer, 'PATCH', '/clients/demo-app', { post_logout_redirect_uris: [APP_SIGNED_OUT, signedOut] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);

    await withPhone(suite, {}, async (page) => {
      const idToken = await signInForIdToken(page);
      const arrived = suite.loopback.next('/signed-out');
      await page.goto(`${suite.issuer}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: signedOut, state: 'bye-2' })}`);
      expect((await arrived).searchParams.get('state')).toBe('bye-2');
      expect(page.url()).toBe(`${signedOut}?state=bye-2`);

      await expectLoginFormShown(page);
    });
  });
});
