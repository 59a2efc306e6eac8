import { createHmac, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, createUser, newAuthorization, redeemCode, saveScreenshot, useBrowserSuite, warnWhenSkipped, withPhone } from './browser-helpers';

warnWhenSkipped('test/e2e/browser-second-factor.test.ts');

const PASSWORD = 'amber harbour compass 7';

/** RFC 6238 as an authenticator app computes it (HMAC-SHA-1, 6 digits, 30 s), independent of the worker's code. */
function totp(secretBase32: string, at: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of secretBase32) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** Waits for the page's autofocus (applied after load) before typing, so no key goes to the page. */
const focused = (page: Page, id: string) => page.locator(`#${id}:focus`).waitFor();

/** Moves focus with Tab until it reaches the control with this text, then presses Enter. */
async function tabToAndPress(page: Page, text: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '')) === text) {
      await page.keyboard.press('Enter');
      return;
    }
  }
  throw new Error(`no focusable "${text}" reached with Tab`);
}

describe.skipIf(!CHROMIUM)('TOTP in a real browser (Chromium, phone viewport, keyboard only)', () => {
  const suite = useBrowserSuite();

  for (const scheme of ['light', 'dark'] as const) {
    it(`enrols an authenticator app on the account page, signs out, and signs in with password and code (${scheme})`, async () => {
      const email = `totp-${scheme}-${randomBytes(4).toString('hex')}@example.com`;
      await createUser(suite.issuer, email, PASSWORD);
      await withPhone(suite, { colorScheme: scheme, clientIp: `203.0.113.${scheme === 'light' ? 21 : 22}` }, async (page) => {
        await page.goto(`${suite.issuer}/account`);
        await focused(page, 'email');
        await page.keyboard.type(email);
        await page.keyboard.press('Tab');
        await page.keyboard.type(PASSWORD);
        await Promise.all([page.waitForURL(`${suite.issuer}/account?done=signed_in`), page.keyboard.press('Enter')]);

        await Promise.all([page.waitForURL(`${suite.issuer}/account/two-step`), tabToAndPress(page, 'Set up authenticator app')]);
        expect(await page.locator('svg[role="img"]').count()).toBe(1);
        const secret = (await page.locator('#secret').innerText()).replace(/\s/g, '');
        expect(secret).toMatch(/^[A-Z2-7]{32}$/);
        await saveScreenshot(page, `totp-enrol-phone-${scheme}`);
        await focused(page, 'code');
        await page.keyboard.type(totp(secret, Date.now()));
        await Promise.all([page.waitForResponse((r) => r.url() === `${suite.issuer}/account/two-step` && r.request().method() === 'POST'), page.keyboard.press('Enter')]);
        const codes = (await page.locator('#recovery-codes').innerText()).split('\n');
        expect(codes).toHaveLength(10);
        await saveScreenshot(page, `totp-recovery-codes-phone-${scheme}`);
        // Continue has the focus.
        await Promise.all([page.waitForURL(`${suite.issuer}/account?done=two_step_on`), page.keyboard.press('Enter')]);
        expect(await page.locator('body').innerText()).toContain('Recovery codes left: 10');

        await Promise.all([page.waitForURL(`${suite.issuer}/account/sign-out`), tabToAndPress(page, 'Sign out of this browser')]);

        const redirectUri = `${suite.loopback.origin}/callback`;
        const authorization = newAuthorization(suite.issuer, { redirectUri, scope: 'openid read:items' });
        const arrived = suite.loopback.next('/callback');
        await page.goto(authorization.url);
        await focused(page, 'email');
        await page.keyboard.type(email);
        await page.keyboard.press('Tab');
        await page.keyboard.type(PASSWORD);
        await Promise.all([page.waitForURL(`${suite.issuer}/login/second-factor`), page.keyboard.press('Enter')]);
        expect(await page.locator('h1').innerText()).toBe('Two-step verification');
        await saveScreenshot(page, `totp-second-step-phone-${scheme}`);
        await focused(page, 'code');
        // The code of the next step: the one used at enrolment is spent, and +1 step is accepted.
        await page.keyboard.type(totp(secret, Date.now() + 30_000));
        await page.keyboard.press('Enter');
        const query = (await arrived).searchParams;
        expect(query.get('state')).toBe(authorization.state);
        const { response, body } = await redeemCode(suite.issuer, authorization, query.get('code')!);
        expect(response.status).toBe(200);
        const claims = decodeJwt(body.id_token!);
        expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
        expect(claims.acr).toBe('urn:edge-auth:acr:mfa');
      });
    });
  }
});
