/**
 * Upstream sign-in in Chromium (issue 17): the login page's buttons (Apple's and Google's brand
 * words, a neutral one for a generic provider), oidc-provider's own login and consent pages, and
 * back to the app's loopback redirect with a code that redeems for tokens. Screenshots in
 * test-results/screenshots/federation-*.png. Only 127.0.0.1 is reached: anything else the upstream's
 * page asks for (a web font) is aborted.
 */
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, management, newAuthorization, redeemCode, saveScreenshot, useBrowserSuite, warnWhenSkipped, withPhone } from './browser-helpers';
import { startOidcProvider, UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET, type RunningUpstream } from './upstreams';

warnWhenSkipped('test/e2e/browser-federation.test.ts');

describe.skipIf(!CHROMIUM)('signing in through an upstream in a real browser (Chromium, phone viewport)', () => {
  const suite = useBrowserSuite({ vars: { DEV_LOOPBACK_FETCH: 'true' } });
  let op: RunningUpstream | undefined;

  beforeAll(async () => {
    op = await startOidcProvider(`${suite.issuer}/login/federated/callback`);
    const appleKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const connections = [
      { name: 'apple', type: 'apple', client_id: 'com.example.signin', apple_team_id: 'ABCDE12345', apple_key_id: 'KEY1234567', apple_private_key: appleKey },
      { name: 'google', type: 'google', client_id: 'example.apps.googleusercontent.com', client_secret: 'unused-here' },
      { name: 'op', type: 'oidc', issuer: op.issuer, display_name: 'Local OP', client_id: UPSTREAM_CLIENT_ID, client_secret: UPSTREAM_CLIENT_SECRET },
    ];
    for (const connection of connections) expect((await management(suite.issuer, 'POST', '/connections', connection)).status).toBe(201);
    expect((await management(suite.issuer, 'PATCH', '/clients/demo-app', { connections: ['apple', 'google', 'op'] })).status).toBe(200);
  });

  afterAll(async () => {
    await op?.close();
  });

  it('shows the buttons, goes through the upstream’s pages and comes back to the app with a code', async () => {
    const authorization = newAuthorization(suite.issuer, { redirectUri: `${suite.loopback.origin}/callback`, scope: 'openid email read:items' });
    await withPhone(suite, {}, async (page) => {
      // Tests reach 127.0.0.1 only: the upstream's development page imports a web font.
      await page.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
      await page.goto(authorization.url);
      await page.locator('#email:focus').waitFor();
      await expect.poll(() => page.getByRole('link', { name: 'Sign in with Apple' }).isVisible()).toBe(true);
      await expect.poll(() => page.getByRole('link', { name: 'Continue with Google' }).isVisible()).toBe(true);
      await saveScreenshot(page, 'federation-login-phone');

      await Promise.all([page.waitForURL((url) => url.origin === op!.issuer), page.getByRole('link', { name: 'Continue with Local OP' }).click()]);
      await page.locator('input[name="login"]').fill('browser-person@example.com');
      await page.locator('input[name="password"]').fill('anything');
      await saveScreenshot(page, 'federation-upstream-login-phone');
      await page.getByRole('button', { name: 'Sign-in' }).click();

      const arrived = suite.loopback.next('/callback');
      await page.getByRole('button', { name: 'Continue' }).click();
      const back = (await arrived).searchParams;
      expect(back.get('state')).toBe(authorization.state);
      expect(back.get('iss')).toBe(suite.issuer);
      const { response, body } = await redeemCode(suite.issuer, authorization, back.get('code') ?? '');
      expect(response.status).toBe(200);
      const user = await management(suite.issuer, 'GET', `/users/${decodeJwt(body.id_token ?? '').sub ?? ''}`);
      expect(user.body).toMatchObject({ email: 'browser-person@example.com', identities: [expect.objectContaining({ connection: 'op' })] });

      // The account page lists the linked account (this browser has the session now).
      await page.goto(`${suite.issuer}/account`);
      await expect.poll(() => page.getByRole('heading', { name: 'Linked accounts' }).isVisible()).toBe(true);
      await saveScreenshot(page, 'federation-account-phone');
    });
  });
});
