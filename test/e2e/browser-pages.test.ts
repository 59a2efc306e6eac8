import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  auditPage,
  CHROMIUM,
  DEMO_EMAIL,
  DEMO_PASSWORD,
  expectAccessible,
  newAuthorization,
  saveScreenshot,
  signInThroughBrowser,
  submitLogin,
  useBrowserSuite,
  warnWhenSkipped,
  withPhone,
  type BrowserSuite,
  type PageAudit,
} from './browser-helpers';

warnWhenSkipped('test/e2e/browser-pages.test.ts');

const SCHEMES = ['light', 'dark'] as const;
type Scheme = (typeof SCHEMES)[number];

/**
 * Audits the page as it is now in light and then dark mode (the same document, re-styled by
 * `prefers-color-scheme`), saving test-results/screenshots/<name>-<scheme>.png first so that a
 * failing audit still leaves the pictures to look at.
 */
async function auditBothSchemes(page: Page, name: string): Promise<Record<Scheme, PageAudit>> {
  const audits = {} as Record<Scheme, PageAudit>;
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await saveScreenshot(page, `${name}-${scheme}`);
    audits[scheme] = await auditPage(page);
  }
  return audits;
}

/** The consent page of partner-app (third party, brand colour #0a7d32), reached by signing in. */
async function openPartnerConsent(page: Page, suite: BrowserSuite): Promise<void> {
  await page.goto(newAuthorization(suite.issuer, { clientId: 'partner-app', redirectUri: `${suite.loopback.origin}/callback`, scope: 'openid email read:items' }).url);
  await submitLogin(page, suite.issuer, DEMO_EMAIL, DEMO_PASSWORD);
  await page.waitForURL(`${suite.issuer}/consent`);
  await page.getByRole('button', { name: 'Allow', exact: true }).waitFor({ state: 'visible' });
}

const isAllowButton = (what: string) => what === '<button> "Allow"';

describe.skipIf(!CHROMIUM)('every page on a phone, light and dark: accessibility basics and screenshots', () => {
  const suite = useBrowserSuite();
  const callbackUri = () => `${suite.loopback.origin}/callback`;

  it('login', async () => {
    await withPhone(suite, {}, async (page) => {
      expect((await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url))?.status()).toBe(200);
      const audits = await auditBothSchemes(page, 'login');
      for (const scheme of SCHEMES) expectAccessible(audits[scheme], scheme);
      expect(audits.light.headings).toEqual(['Sign in']);
    });
  });

  it('login with an error', async () => {
    await withPhone(suite, {}, async (page) => {
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      const posted = await submitLogin(page, suite.issuer, DEMO_EMAIL, 'not-the-password');
      expect((await posted.response())?.status()).toBe(401);
      await page.getByRole('alert').waitFor({ state: 'visible' });
      const audits = await auditBothSchemes(page, 'login-error');
      for (const scheme of SCHEMES) {
        expectAccessible(audits[scheme], scheme);
        // The error itself must be readable, not only present.
        expect(audits[scheme].texts.find((t) => t.what.startsWith('<p> "Incorrect email'))?.ratio).toBeGreaterThanOrEqual(4.5);
      }
    });
  });

  it('consent', async () => {
    await withPhone(suite, {}, async (page) => {
      await openPartnerConsent(page, suite);
      const audits = await auditBothSchemes(page, 'consent');
      expectAccessible(audits.light, 'light');
      expectAccessible(audits.dark, 'dark');
      expect(audits.light.headings).toEqual(['Allow Partner App?']);
    });
  });

  // Server bug (src/views/layout.ts): in dark mode every button gets `color:#0b1a4a`, made for the
  // light default accent #8fb0ff, but a client's brand colour replaces --accent in both schemes, so
  // partner-app's Allow is #0b1a4a on #0a7d32 (about 3.2:1, under WCAG 1.4.3's 4.5:1). The same holds
  // for the branded login page's Continue. Remove `.fails` once the button text follows the accent.
  // Regression: dark text on a brand colour measured 3.17:1; the text colour is now chosen for the brand colour.
  it('consent: the brand-coloured Allow button is readable in dark mode', async () => {
    await withPhone(suite, { colorScheme: 'dark' }, async (page) => {
      await openPartnerConsent(page, suite);
      const allow = (await auditPage(page)).texts.find((t) => isAllowButton(t.what));
      expect(allow).toBeDefined();
      expect(allow!.ratio, `${allow!.foreground} on ${allow!.background}`).toBeGreaterThanOrEqual(4.5);
    });
  });

  it('error page', async () => {
    await withPhone(suite, {}, async (page) => {
      // An unregistered client: a page, never a redirect (RFC 6749 section 4.1.2.1).
      const url = newAuthorization(suite.issuer, { clientId: 'no-such-app', redirectUri: callbackUri() }).url;
      expect((await page.goto(url))?.status()).toBe(400);
      const audits = await auditBothSchemes(page, 'error');
      for (const scheme of SCHEMES) expectAccessible(audits[scheme], scheme);
      expect(audits.light.headings).toEqual(['Sign-in request not valid']);
      expect(await page.getByRole('alert').innerText()).toBe('The app that sent you here is not registered.');
    });
  });

  it('logout confirmation', async () => {
    await withPhone(suite, {}, async (page) => {
      await signInThroughBrowser(page, suite, newAuthorization(suite.issuer, { redirectUri: callbackUri() }));
      expect((await page.goto(`${suite.issuer}/logout`))?.status()).toBe(200);
      const audits = await auditBothSchemes(page, 'logout-confirm');
      for (const scheme of SCHEMES) expectAccessible(audits[scheme], scheme);
      expect(audits.light.headings).toEqual(['Sign out?']);
    });
  });

  it('signed out', async () => {
    await withPhone(suite, {}, async (page) => {
      // Without a session there is nothing to confirm: the browser is told it is signed out.
      expect((await page.goto(`${suite.issuer}/logout`))?.status()).toBe(200);
      const audits = await auditBothSchemes(page, 'signed-out');
      for (const scheme of SCHEMES) expectAccessible(audits[scheme], scheme);
      expect(audits.light.headings).toEqual(['You are signed out']);
    });
  });
});
