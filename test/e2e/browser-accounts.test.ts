import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  createUser,
  followMailLink,
  management,
  newAuthorization,
  redeemCode,
  signInThroughBrowser,
  tabToAndPress,
  submitLogin,
  useBrowserSuite,
  warnWhenSkipped,
  withPhone,
} from './browser-helpers';

warnWhenSkipped('test/e2e/browser-accounts.test.ts');

const NEW_PASSWORD = 'violet meadow lantern 42';

/** The app's refresh token no longer works: 400 invalid_grant (RFC 6749 section 5.2). */
async function expectRefreshRefused(issuer: string, refreshToken: string): Promise<void> {
  const refreshed = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'demo-app', refresh_token: refreshToken }),
  });
  expect(refreshed.status).toBe(400);
  expect(((await refreshed.json()) as { error: string }).error).toBe('invalid_grant');
}

/**
 * The page's autofocus has reached the field. Chromium applies autofocus in a rendering step after
 * the load event, so typing at once can lose the first keys to the page (seen in CI, under load).
 */
async function fieldFocused(page: Page, id: 'email' | 'password'): Promise<void> {
  await page.locator(`#${id}:focus`).waitFor();
}

describe.skipIf(!CHROMIUM)('accounts in a real browser (Chromium, phone viewport, keyboard only)', () => {
  const suite = useBrowserSuite();
  const callbackUri = () => `${suite.loopback.origin}/callback`;

  /** The app signs the user in through this page and keeps a refresh token, for the test to see refused later. */
  async function signInForRefreshToken(page: Page, email: string, password: string): Promise<string> {
    const authorization = newAuthorization(suite.issuer, { redirectUri: callbackUri(), scope: 'openid offline_access read:items' });
    const code = (await signInThroughBrowser(page, suite, authorization, { email, password })).get('code')!;
    const refreshToken = (await redeemCode(suite.issuer, authorization, code)).body.refresh_token;
    expect(refreshToken).toEqual(expect.any(String));
    return refreshToken as string;
  }

  it('signs up from the login page, confirms from the dev mailbox, and the app gets tokens for the new verified account', async () => {
    const email = `signup-${randomBytes(4).toString('hex')}@example.com`;
    await withPhone(suite, {}, async (page) => {
      const authorization = newAuthorization(suite.issuer, { redirectUri: callbackUri(), scope: 'openid email profile read:items' });
      await page.goto(authorization.url);
      expect(page.url()).toBe(`${suite.issuer}/login`);

      await tabToAndPress(page, 'Create account');
      await page.waitForURL(`${suite.issuer}/signup`);
      await fieldFocused(page, 'email');
      // The email field has focus; Tab moves through name and password; Enter sends the form.
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      await page.keyboard.type('Grace Hopper');
      await page.keyboard.press('Tab');
      await page.keyboard.type('password123');
      await page.keyboard.press('Enter');
      const problem = page.locator('#password-problem');
      await problem.waitFor({ state: 'visible' });
      expect(await problem.innerText()).toContain('too common');
      // After the refusal focus is back on the password field.
      await fieldFocused(page, 'password');
      await page.keyboard.type(NEW_PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      expect(await page.locator('main').innerText()).toContain(email);

      // The same tab reads the mail and opens the link: the pending request is in its cookie.
      await followMailLink(page, suite.issuer, email, '/signup/confirm');
      const arrived = suite.loopback.next('/callback');
      await page.getByRole('button', { name: 'Create account' }).focus();
      await page.keyboard.press('Enter');
      const params = (await arrived).searchParams;
      expect(params.get('state')).toBe(authorization.state);
      const { response, body } = await redeemCode(suite.issuer, authorization, params.get('code')!);
      expect(response.status).toBe(200);
      expect(decodeJwt(body.id_token!).sub).toMatch(/^user_/);
      const userinfo = await fetch(`${suite.issuer}/userinfo`, { headers: { Authorization: `Bearer ${body.access_token}` } });
      expect(await userinfo.json()).toMatchObject({ email, email_verified: true, name: 'Grace Hopper' });
    });
  });

  it('forgot password: the link from the dev mailbox sets a new password, the old refresh token is refused, the new password signs in', async () => {
    const email = `forgot-${randomBytes(4).toString('hex')}@example.com`;
    await createUser(suite.issuer, email, 'the first password');
    let refreshToken = '';
    await withPhone(suite, {}, async (page) => {
      refreshToken = await signInForRefreshToken(page, email, 'the first password');
    });
    await withPhone(suite, {}, async (page) => {
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      await tabToAndPress(page, 'Forgot password?');
      await page.waitForURL(`${suite.issuer}/forgot`);
      await fieldFocused(page, 'email');
      await page.keyboard.type(email);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();

      await followMailLink(page, suite.issuer, email, '/reset');
      await fieldFocused(page, 'password');
      await page.keyboard.type(NEW_PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Your password was changed' }).waitFor();
    });
    await expectRefreshRefused(suite.issuer, refreshToken);
    await withPhone(suite, {}, async (page) => {
      const again = newAuthorization(suite.issuer, { redirectUri: callbackUri() });
      const code = (await signInThroughBrowser(page, suite, again, { email, password: NEW_PASSWORD })).get('code');
      expect(code).toBeTruthy();
    });
  });
  it('the account page: sign in, change the email through the mail link, change the password; old refresh tokens are refused', async () => {
    const email = `account-${randomBytes(4).toString('hex')}@example.com`;
    const moved = `moved-${randomBytes(4).toString('hex')}@example.com`;
    await createUser(suite.issuer, email, 'the first password');
    let refreshToken = '';
    await withPhone(suite, {}, async (page) => {
      refreshToken = await signInForRefreshToken(page, email, 'the first password');
    });
    await withPhone(suite, {}, async (page) => {
      await page.goto(`${suite.issuer}/account`);
      // Email has focus; Tab to the password; Enter signs in.
      await fieldFocused(page, 'email');
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      await page.keyboard.type('the first password');
      await page.keyboard.press('Enter');
      await page.getByText(`Signed in as ${email}`).waitFor();

      await page.getByLabel('New email').focus();
      await page.keyboard.type(moved);
      await page.keyboard.press('Tab');
      await page.keyboard.type('the first password');
      await page.keyboard.press('Enter');
      await page.getByText('We sent a link to the new address').waitFor();
      await followMailLink(page, suite.issuer, moved, '/account/email/confirm');
      await page.getByRole('button', { name: 'Use this address' }).focus();
      await page.keyboard.press('Enter');
      await page.getByText('Your email address was changed.').waitFor();
      expect(await page.locator('main').innerText()).toContain(`Signed in as ${moved}`);

      await page.getByLabel('Current password').first().focus();
      await page.keyboard.type('the first password');
      await page.keyboard.press('Tab');
      // The show-password toggle of the first field sits between the two fields.
      await page.keyboard.press('Tab');
      await page.keyboard.type(NEW_PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByText('Your password was changed').waitFor();
    });
    await expectRefreshRefused(suite.issuer, refreshToken);
    await withPhone(suite, {}, async (page) => {
      const again = newAuthorization(suite.issuer, { redirectUri: callbackUri() });
      expect((await signInThroughBrowser(page, suite, again, { email: moved, password: NEW_PASSWORD })).get('code')).toBeTruthy();
    });
  });

  it('a client that requires a confirmed address: confirm your email, open the mail link, and the app gets its code', async () => {
    const client = await management(suite.issuer, 'POST', '/clients', {
      name: 'Verified Only', type: 'public', redirect_uris: [callbackUri()], scopes: ['openid', 'read:items'], audiences: ['https://api.example.com'],
      require_verified_email: true,
    });
    expect(client.status).toBe(201);
    const email = `unconfirmed-${randomBytes(4).toString('hex')}@example.com`;
    await createUser(suite.issuer, email, 'the first password');
    await withPhone(suite, {}, async (page) => {
      const authorization = newAuthorization(suite.issuer, { clientId: client.body.id as string, redirectUri: callbackUri() });
      await page.goto(authorization.url);
      await fieldFocused(page, 'email');
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      await page.keyboard.type('the first password');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${suite.issuer}/verify-email/pending`);
      expect(await page.locator('main').innerText()).toContain(email);
      await followMailLink(page, suite.issuer, email, '/verify-email');
      const arrived = suite.loopback.next('/callback');
      await page.getByRole('button', { name: 'Confirm email' }).focus();
      await page.keyboard.press('Enter');
      const params = (await arrived).searchParams;
      expect(params.get('state')).toBe(authorization.state);
      expect((await redeemCode(suite.issuer, authorization, params.get('code')!)).response.status).toBe(200);
    });
  });
  it('deletes the account from the account page; afterwards sign-in fails and the old refresh token is refused', async () => {
    const email = `gone-${randomBytes(4).toString('hex')}@example.com`;
    await createUser(suite.issuer, email, 'the first password');
    let refreshToken = '';
    await withPhone(suite, {}, async (page) => {
      refreshToken = await signInForRefreshToken(page, email, 'the first password');
      // The single sign-on session of that sign-in opens the account page.
      await page.goto(`${suite.issuer}/account`);
      await page.getByText(`Signed in as ${email}`).waitFor();
      await page.getByRole('link', { name: 'Download your data' }).waitFor();
      await page.getByLabel('Current password').last().focus();
      await page.keyboard.type('the first password');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Delete my account');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Your account was deleted' }).waitFor();
    });
    await expectRefreshRefused(suite.issuer, refreshToken);
    await withPhone(suite, {}, async (page) => {
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      await submitLogin(page, suite.issuer, email, 'the first password');
      await page.getByText('Incorrect email or password.').waitFor();
    });
  });
});
