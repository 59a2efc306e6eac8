/**
 * Passkeys in a real browser (issue 14): Chromium with the DevTools Protocol's virtual WebAuthn
 * authenticator (CTAP2, platform, resident keys, user verification). A person enrols a passkey on
 * the account page, signs out, and signs in to the app's authorization request with it, never
 * typing an email; keyboard only; screenshots light and dark.
 */
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, createUser, newAuthorization, redeemCode, saveScreenshot, tabToAndPress, useBrowserSuite, warnWhenSkipped, withPhone } from './browser-helpers';

warnWhenSkipped('test/e2e/browser-passkeys.test.ts');

const PASSWORD = 'passkey browser lantern 7';

/** A platform authenticator with resident keys and user verification, as a phone's. */
async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
}

describe.skipIf(!CHROMIUM)('passkeys in a real browser (Chromium virtual authenticator, keyboard only)', () => {
  // WebAuthn needs a domain for its RP ID: the worker's issuer is http://localhost:<port>.
  const suite = useBrowserSuite({ host: 'localhost' });

  it.each([
    ['light', 'from the email field\'s autofill (conditional mediation)'],
    ['dark', 'with the "Sign in with a passkey" button, where the browser has no autofill for passkeys'],
  ] as const)('enrols a passkey, signs out, and signs in with it without an email (%s: %s)', async (colorScheme, how) => {
    const email = `passkey-${randomBytes(4).toString('hex')}@example.com`;
    const userId = await createUser(suite.issuer, email, PASSWORD);
    await withPhone(suite, { colorScheme, clientIp: `10.9.${randomBytes(1)[0]}.${randomBytes(1)[0]}` }, async (page) => {
      const autofill = how.startsWith('from');
      // A browser without conditional mediation: only the button is offered.
      if (!autofill) await page.addInitScript(() => Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: async () => false }));
      // The login page before any passkey exists: the button is there, nothing is picked.
      await page.goto(newAuthorization(suite.issuer, { redirectUri: `${suite.loopback.origin}/callback` }).url);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor({ state: 'visible' });
      await saveScreenshot(page, `login-passkey-phone-${colorScheme}`);
      await addVirtualAuthenticator(page);

      // Sign in to the account page with the password, then create a passkey named from the keyboard.
      await page.goto(`${suite.issuer}/account`);
      await page.locator('#email:focus').waitFor();
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await Promise.all([page.waitForURL(`${suite.issuer}/account?done=signed_in`), page.keyboard.press('Enter')]);
      const nameField = page.getByLabel('Name of the new passkey (optional)');
      await nameField.waitFor({ state: 'visible' });
      await nameField.focus();
      await page.keyboard.type('Test phone');
      await Promise.all([page.waitForURL((url) => url.searchParams.get('done') === 'passkey_added'), page.keyboard.press('Enter')]);
      expect(await page.getByRole('status').first().innerText()).toBe('Your passkey was added.');
      expect(await page.locator('ul.passkeys strong').allInnerTexts()).toEqual(['Test phone']);
      await saveScreenshot(page, `account-passkeys-phone-${colorScheme}`);

      await tabToAndPress(page, 'Sign out of this browser');
      // The sign-out's answer (the account page's own sign-in form) must arrive before the next
      // navigation, or that navigation aborts the form's POST (seen in CI under load).
      await page.locator('form[action="/account/sign-in"]').waitFor();

      // The app's request: the login page offers the passkey; no email is typed.
      const authorization = newAuthorization(suite.issuer, { redirectUri: `${suite.loopback.origin}/callback` });
      const arrived = suite.loopback.next('/callback');
      await page.goto(authorization.url);
      // The virtual authenticator answers the autofill's request as a person picking the passkey would.
      if (!autofill) await tabToAndPress(page, 'Sign in with a passkey');
      const params = (await arrived).searchParams;
      expect(params.get('state')).toBe(authorization.state);
      const { response, body } = await redeemCode(suite.issuer, authorization, params.get('code')!);
      expect(response.status).toBe(200);
      expect(decodeJwt(body.id_token!).sub).toBe(userId);
    });
  });
});
