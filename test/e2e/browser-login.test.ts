import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  createUser,
  DEMO_EMAIL,
  DEMO_PASSWORD,
  LOGIN_FAILED,
  newAuthorization,
  redeemCode,
  RESULTS_DIR,
  submitLogin,
  useBrowserSuite,
  warnWhenSkipped,
  withPhone,
} from './browser-helpers';

warnWhenSkipped('test/e2e/browser-login.test.ts');

/** docs/design.md ("Tests") points here; the full set of pages is in test-results/screenshots/ (browser-pages.test.ts). */
const README_SCREENSHOT = join(RESULTS_DIR, 'login-phone.png');

describe.skipIf(!CHROMIUM)('login page in a real browser (Chromium, phone viewport)', () => {
  const suite = useBrowserSuite();
  const callbackUri = () => `${suite.loopback.origin}/callback`;

  it('/authorize lands on a labelled login form that names the app', async () => {
    await withPhone(suite, {}, async (page) => {
      const response = await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      expect(response?.status()).toBe(200);
      expect(page.url()).toBe(`${suite.issuer}/login`);
      expect(response?.headers()['referrer-policy']).toBe('no-referrer');

      const email = page.getByLabel('Email', { exact: true });
      const password = page.getByLabel('Password', { exact: true });
      await email.waitFor({ state: 'visible' });
      await password.waitFor({ state: 'visible' });
      expect(await email.getAttribute('type')).toBe('email');
      expect(await password.getAttribute('type')).toBe('password');
      expect(await page.getByRole('button', { name: 'Continue' }).isVisible()).toBe(true);
      expect(await page.locator('main').innerText()).toContain('Demo App');

      await page.screenshot({ path: README_SCREENSHOT, fullPage: true });
    });
  });

  it('signs in through the form and returns a code to the loopback redirect that redeems for tokens', async () => {
    await withPhone(suite, {}, async (page) => {
      const authorization = newAuthorization(suite.issuer, { redirectUri: callbackUri() });
      const arrived = suite.loopback.next('/callback');
      await page.goto(authorization.url);
      expect(page.url()).toBe(`${suite.issuer}/login`);

      const posted = await submitLogin(page, suite.issuer, DEMO_EMAIL, DEMO_PASSWORD);
      // `Referrer-Policy: no-referrer` makes Chromium send `Origin: null`; the server must take it.
      expect(await posted.headerValue('origin')).toBe('null');
      const redirect = await posted.response();
      // 303 to the registered loopback URI with the port the app listens on (RFC 8252 section 7.3).
      expect(redirect?.status()).toBe(303);
      expect(redirect?.headers()['location']?.startsWith(`${callbackUri()}?`)).toBe(true);

      const query = (await arrived).searchParams;
      expect(query.get('code')).toBeTruthy();
      expect(query.get('state')).toBe(authorization.state);
      // RFC 9207: the issuer identifies who sent the code.
      expect(query.get('iss')).toBe(suite.issuer);
      expect(query.get('error')).toBeNull();
      await page.waitForURL((u) => u.href.startsWith(`${callbackUri()}?`));
      expect(await page.locator('body').innerText()).toBe('done');

      const { response, body } = await redeemCode(suite.issuer, authorization, query.get('code')!);
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(response.headers.get('Cache-Control')).toBe('no-store');
      expect(body).toMatchObject({ token_type: 'Bearer', scope: 'openid read:items' });
      expect(typeof body.id_token).toBe('string');
      expect(decodeJwt(body.access_token)).toMatchObject({ iss: suite.issuer, sub: 'user_demo', client_id: 'demo-app' });
    });
  });

  it('refuses a wrong password with an announced error tied to the form, keeping the typed email', async () => {
    await withPhone(suite, {}, async (page) => {
      const requestsBefore = suite.loopback.requests.length;
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      const posted = await submitLogin(page, suite.issuer, DEMO_EMAIL, 'wrong-password');
      expect(await posted.headerValue('origin')).toBe('null');
      expect((await posted.response())?.status()).toBe(401);

      // Still our login page, announced to screen readers, and the app heard nothing.
      expect(page.url()).toBe(`${suite.issuer}/login`);
      const alert = page.getByRole('alert');
      await alert.waitFor({ state: 'visible' });
      expect(await alert.innerText()).toBe(LOGIN_FAILED);
      const alertId = await alert.getAttribute('id');
      expect(alertId).toBeTruthy();

      const email = page.getByLabel('Email', { exact: true });
      expect(await email.inputValue()).toBe(DEMO_EMAIL);
      expect(await email.getAttribute('aria-describedby')).toBe(alertId);
      // The password is never echoed back into the page.
      expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
      expect(suite.loopback.requests.length).toBe(requestsBefore);
    });
  });

  it('locks an account after 5 failures and refuses even the right password with the same message', async () => {
    const email = `locked-${randomBytes(6).toString('hex')}@example.com`;
    const password = `right-${randomBytes(12).toString('base64url')}`;
    await createUser(suite.issuer, email, password);
    // A network of its own, so that only the account's counter can be what refuses it.
    const clientIp = '198.51.100.23';

    // The account works: a sign-in with the right password returns a code (and clears its counter).
    await withPhone(suite, { clientIp }, async (page) => {
      const arrived = suite.loopback.next('/callback');
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      await submitLogin(page, suite.issuer, email, password);
      expect((await arrived).searchParams.get('code')).toBeTruthy();
    });

    await withPhone(suite, { clientIp }, async (page) => {
      const requestsBefore = suite.loopback.requests.length;
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      let wrongPasswordPage = '';
      for (let attempt = 1; attempt <= 5; attempt++) {
        const posted = await submitLogin(page, suite.issuer, email, `wrong-${attempt}`);
        expect((await posted.response())?.status(), `attempt ${attempt}`).toBe(401);
        await page.getByRole('alert').waitFor({ state: 'visible' });
        wrongPasswordPage = await page.locator('main').innerText();
      }

      const posted = await submitLogin(page, suite.issuer, email, password);
      expect((await posted.response())?.status()).toBe(401);
      expect(page.url()).toBe(`${suite.issuer}/login`);
      expect(await page.getByRole('alert').innerText()).toBe(LOGIN_FAILED);
      // Word for word the page of a wrong password: nothing tells an attacker the account is locked.
      const lockedPage = await page.locator('main').innerText();
      expect(lockedPage).toBe(wrongPasswordPage);
      expect(lockedPage).not.toMatch(/lock|too many|blocked|disabled|suspended/i);
      expect(suite.loopback.requests.length).toBe(requestsBefore);
    });
  });

  it('works with the keyboard alone: Tab goes email, password, show password, Continue, and Enter submits', async () => {
    await withPhone(suite, {}, async (page) => {
      const authorization = newAuthorization(suite.issuer, { redirectUri: callbackUri() });
      const arrived = suite.loopback.next('/callback');
      await page.goto(authorization.url);
      const focused = () =>
        page.evaluate(() => {
          const e = document.activeElement as HTMLElement | null;
          const style = e ? getComputedStyle(e) : undefined;
          return { id: e?.id ?? '', tag: e?.tagName.toLowerCase() ?? '', text: e?.textContent?.trim() ?? '', outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : '' };
        });

      // The email field has the focus when the page opens (autofocus): the user can type at once.
      expect(await focused()).toMatchObject({ id: 'email', outline: 'solid 3px' });
      await page.keyboard.type(DEMO_EMAIL);
      await page.keyboard.press('Tab');
      expect(await focused()).toMatchObject({ id: 'password', outline: 'solid 3px' });
      await page.keyboard.type(DEMO_PASSWORD);
      await page.keyboard.press('Tab');
      // The show-password toggle sits right after its field.
      expect(await focused()).toMatchObject({ tag: 'button', text: 'Show password', outline: 'solid 3px' });
      await page.keyboard.press('Tab');
      // The focus ring stays visible on the button too.
      expect(await focused()).toMatchObject({ tag: 'button', text: 'Continue', outline: 'solid 3px' });
      // And back, in the same order.
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      expect((await focused()).id).toBe('password');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');

      await page.keyboard.press('Enter');
      const query = (await arrived).searchParams;
      expect(query.get('state')).toBe(authorization.state);
      const { response, body } = await redeemCode(suite.issuer, authorization, query.get('code')!);
      expect(response.status, JSON.stringify(body)).toBe(200);
    });
  });
});
