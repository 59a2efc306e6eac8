import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  auditPage,
  CHROMIUM,
  createUser,
  DEMO_EMAIL,
  DEMO_PASSWORD,
  expectAccessible,
  followMailLink,
  management,
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

/** The phone of withPhone, and a laptop window: the card fills the one and floats in the other. */
const DEVICES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;
type Device = keyof typeof DEVICES;

/** Where the card (`<main>`) sits in the window. */
async function cardBox(page: Page): Promise<{ x: number; width: number; viewport: number }> {
  return page.evaluate(() => {
    const box = document.querySelector('main')!.getBoundingClientRect();
    return { x: box.x, width: box.width, viewport: document.documentElement.clientWidth };
  });
}

/**
 * Audits the page as it is now on a phone and on a desktop window, each in light and then dark
 * mode (the same document, re-styled by `prefers-color-scheme` and the window's width), saving
 * test-results/screenshots/<name>-<device>-<scheme>.png first so that a failing audit still leaves
 * the pictures to look at. Every audit must pass; on the phone the card fills the width (no grey
 * margins), on the desktop it is a 24rem card in the middle.
 */
async function auditEverywhere(page: Page, name: string): Promise<Record<Scheme, PageAudit>> {
  const phone = {} as Record<Scheme, PageAudit>;
  for (const device of ['phone', 'desktop'] as Device[]) {
    await page.setViewportSize(DEVICES[device]);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await saveScreenshot(page, `${name}-${device}-${scheme}`, device === 'phone' ? 'device' : 'css');
      const audit = await auditPage(page);
      expectAccessible(audit, scheme);
      if (device === 'phone') phone[scheme] = audit;
    }
    const card = await cardBox(page);
    if (device === 'phone') expect(card).toEqual({ x: 0, width: card.viewport, viewport: DEVICES.phone.width });
    else expect(card).toEqual({ x: (card.viewport - 384) / 2, width: 384, viewport: DEVICES.desktop.width });
  }
  await page.setViewportSize(DEVICES.phone);
  return phone;
}

/** The consent page of partner-app (third party, brand colour #0a7d32), reached by signing in. */
async function openPartnerConsent(page: Page, suite: BrowserSuite, email = DEMO_EMAIL, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(newAuthorization(suite.issuer, { clientId: 'partner-app', redirectUri: `${suite.loopback.origin}/callback`, scope: 'openid email read:items' }).url);
  await submitLogin(page, suite.issuer, email, password);
  await page.waitForURL(`${suite.issuer}/consent`);
  await page.getByRole('button', { name: 'Allow', exact: true }).waitFor({ state: 'visible' });
}

const isAllowButton = (what: string) => what === '<button> "Allow"';

/** What the browser reports about the page's Content Security Policy: nothing, when the page keeps to it. */
function collectCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

describe.skipIf(!CHROMIUM)('every page on a phone and a desktop, light and dark: accessibility basics and screenshots', () => {
  const suite = useBrowserSuite();
  const callbackUri = () => `${suite.loopback.origin}/callback`;

  it('login', async () => {
    await withPhone(suite, {}, async (page) => {
      const violations = collectCspViolations(page);
      expect((await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url))?.status()).toBe(200);
      await page.getByRole('button', { name: 'Show password' }).waitFor({ state: 'visible' });
      const audits = await auditEverywhere(page, 'login');
      expect(audits.light.headings).toEqual(['Sign in']);
      expect(await page.title()).toBe('Sign in · Demo App');
      // No logo in the seed: the app's initial on the accent colour.
      expect(await page.locator('header.brand .mark').innerText()).toBe('D');
      expect(violations).toEqual([]);
    });
  });

  // Issue 19: the login page in the language the app asks for; Arabic mirrors (dir="rtl", logical CSS).
  it.each([
    { locale: 'ja', heading: 'ログイン', toggle: 'パスワードを表示', dir: 'ltr' },
    // German's longer words must not push the phone layout sideways (the audit checks for overflow).
    { locale: 'de', heading: 'Anmelden', toggle: 'Passwort anzeigen', dir: 'ltr' },
    { locale: 'es', heading: 'Iniciar sesión', toggle: 'Mostrar contraseña', dir: 'ltr' },
    { locale: 'fr', heading: 'Se connecter', toggle: 'Afficher le mot de passe', dir: 'ltr' },
    { locale: 'ar', heading: 'تسجيل الدخول', toggle: 'إظهار كلمة المرور', dir: 'rtl' },
  ])('login in $locale (ui_locales): its language and direction, on a phone and a desktop, light and dark', async ({ locale, heading, toggle, dir }) => {
    await withPhone(suite, {}, async (page) => {
      const violations = collectCspViolations(page);
      const url = `${newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url}&ui_locales=${locale}`;
      expect((await page.goto(url))?.status()).toBe(200);
      await page.getByRole('button', { name: toggle }).waitFor({ state: 'visible' });
      const audits = await auditEverywhere(page, `login-${locale}`);
      expect(audits.light.lang).toBe(locale);
      expect(audits.light.headings).toEqual([heading]);
      expect(await page.evaluate(() => document.documentElement.dir)).toBe(dir);
      // The show-password toggle sits at the end of the field: on the left when the page reads right to left.
      const [field, button] = await Promise.all([page.locator('#password').boundingBox(), page.getByRole('button', { name: toggle }).boundingBox()]);
      const atLeftEdge = Math.abs(button!.x - field!.x) < 2;
      const atRightEdge = Math.abs(button!.x + button!.width - (field!.x + field!.width)) < 2;
      expect({ atLeftEdge, atRightEdge }).toEqual(dir === 'rtl' ? { atLeftEdge: true, atRightEdge: false } : { atLeftEdge: false, atRightEdge: true });
      expect(violations).toEqual([]);
    });
  });

  it.each([
    { locale: 'de', heading: 'Partner App erlauben?', allow: 'Erlauben' },
    { locale: 'ar', heading: 'هل تسمح لتطبيق Partner App؟', allow: 'سماح' },
  ])('consent in $locale: the language chosen at /authorize is kept after sign-in', async ({ locale, heading, allow }) => {
    await withPhone(suite, {}, async (page) => {
      const authorization = newAuthorization(suite.issuer, { clientId: 'partner-app', redirectUri: callbackUri(), scope: 'openid email read:items' });
      await page.goto(`${authorization.url}&ui_locales=${locale}`);
      // The form by its fields, whatever the language of their labels.
      await page.locator('#email').fill(DEMO_EMAIL);
      await page.locator('#password').fill(DEMO_PASSWORD);
      await page.locator('button[type=submit]').click();
      await page.waitForURL(`${suite.issuer}/consent`);
      await page.getByRole('button', { name: allow, exact: true }).waitFor({ state: 'visible' });
      const audits = await auditEverywhere(page, `consent-${locale}`);
      expect(audits.light.lang).toBe(locale);
      expect(audits.light.headings).toEqual([heading]);
    });
  });

  it('login with an error: one calm line, the same for every failure', async () => {
    await withPhone(suite, {}, async (page) => {
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      const posted = await submitLogin(page, suite.issuer, DEMO_EMAIL, 'not-the-password');
      expect((await posted.response())?.status()).toBe(401);
      const alert = page.getByRole('alert');
      await alert.waitFor({ state: 'visible' });
      expect(await alert.innerText()).toBe('Incorrect email or password.');
      // Not a wall of bold red text: normal weight, in the text colour, on one line.
      const look = await alert.evaluate((element) => {
        const style = getComputedStyle(element);
        return { weight: Number(style.fontWeight), color: style.color, text: getComputedStyle(document.body).color, lines: Math.round(element.getBoundingClientRect().height / parseFloat(style.lineHeight)) };
      });
      expect(look.weight).toBeLessThan(600);
      expect(look.color).toBe(look.text);
      expect(look.lines).toBeLessThanOrEqual(2);
      const audits = await auditEverywhere(page, 'login-error');
      for (const scheme of SCHEMES) {
        // The error itself must be readable, not only present.
        expect(audits[scheme].texts.find((t) => t.what.startsWith('<p> "Incorrect email'))?.ratio).toBeGreaterThanOrEqual(4.5);
      }
    });
  });

  it('login: with JavaScript, an accessible toggle shows and hides the password, and it is masked again on submit', async () => {
    await withPhone(suite, {}, async (page) => {
      const violations = collectCspViolations(page);
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      const password = page.getByLabel('Password', { exact: true });
      const toggle = page.getByRole('button', { name: 'Show password' });
      await toggle.waitFor({ state: 'visible' });
      expect(await toggle.getAttribute('aria-pressed')).toBe('false');
      expect(await toggle.getAttribute('aria-controls')).toBe('password');
      await password.fill('some-secret-words');

      await toggle.click();
      expect(await password.getAttribute('type')).toBe('text');
      expect(await toggle.getAttribute('aria-pressed')).toBe('true');
      expect(await password.inputValue()).toBe('some-secret-words');
      await saveScreenshot(page, 'login-password-shown-phone-light');

      // By keyboard: the toggle is a real button, reached by Tab from the field.
      await password.focus();
      await page.keyboard.press('Tab');
      expect(await toggle.evaluate((element) => element === document.activeElement)).toBe(true);
      await page.keyboard.press('Space');
      expect(await password.getAttribute('type')).toBe('password');
      expect(await toggle.getAttribute('aria-pressed')).toBe('false');

      // Shown, then the form is sent: by the time the browser reads the form, the field is a
      // password field again (it never files the password as plain text). A listener added after
      // the page's own reports the field as the submit event leaves it.
      let reported: (state: string) => void = () => {};
      const typeAtSubmit = new Promise<string>((resolve) => (reported = resolve));
      await page.exposeFunction('reportTypeAtSubmit', (state: string) => reported(state));
      await page.evaluate(() => {
        const field = document.getElementById('password') as HTMLInputElement;
        const report = (window as unknown as { reportTypeAtSubmit: (type: string) => void }).reportTypeAtSubmit;
        field.form!.addEventListener('submit', () => report(`${field.type} ${document.querySelector('.reveal')!.getAttribute('aria-pressed')}`));
      });
      await page.getByLabel('Email', { exact: true }).fill(DEMO_EMAIL);
      await password.fill(DEMO_PASSWORD);
      await toggle.click();
      expect(await password.getAttribute('type')).toBe('text');
      const arrived = suite.loopback.next('/callback');
      await page.getByRole('button', { name: 'Continue' }).click();
      expect(await typeAtSubmit).toBe('password false');
      expect((await arrived).searchParams.get('code')).toBeTruthy();
      expect(violations).toEqual([]);
    });
  });

  it('login without JavaScript: no toggle, and the form signs in all the same', async () => {
    await withPhone(suite, { javaScriptEnabled: false }, async (page) => {
      const authorization = newAuthorization(suite.issuer, { redirectUri: callbackUri() });
      await page.goto(authorization.url);
      await page.getByLabel('Password', { exact: true }).waitFor({ state: 'visible' });
      expect(await page.locator('button.reveal').isHidden()).toBe(true);
      expect(await page.getByRole('button', { name: 'Show password' }).count()).toBe(0);
      await saveScreenshot(page, 'login-no-javascript-phone-light');
      expectAccessible(await auditPage(page), 'light');

      const arrived = suite.loopback.next('/callback');
      await submitLogin(page, suite.issuer, DEMO_EMAIL, DEMO_PASSWORD);
      const query = (await arrived).searchParams;
      expect(query.get('code')).toBeTruthy();
      expect(query.get('state')).toBe(authorization.state);
    });
  });

  it('consent', async () => {
    await withPhone(suite, {}, async (page) => {
      await openPartnerConsent(page, suite);
      const audits = await auditEverywhere(page, 'consent');
      expect(audits.light.headings).toEqual(['Allow Partner App?']);
      expect(await page.title()).toBe('Allow Partner App?');
      expect(await page.locator('form.account').innerText()).toBe(`Signed in as ${DEMO_EMAIL} · Not you?`);
    });
  });

  it('consent: "Not you?" leads to the password form of the same request, and another account is asked in turn', async () => {
    const other = { email: `not-you-${Date.now()}@example.com`, password: 'Not-You-Correct-Horse-7' };
    await createUser(suite.issuer, other.email, other.password);
    await withPhone(suite, {}, async (page) => {
      await openPartnerConsent(page, suite);
      await page.getByRole('button', { name: 'Not you?' }).click();
      await page.waitForURL(`${suite.issuer}/login?account=another`);
      expect(await page.title()).toBe('Sign in · Partner App');
      // The request forgot who signed in: its consent page is gone.
      await submitLogin(page, suite.issuer, other.email, other.password);
      await page.waitForURL(`${suite.issuer}/consent`);
      expect(await page.locator('form.account').innerText()).toBe(`Signed in as ${other.email} · Not you?`);

      const arrived = suite.loopback.next('/callback');
      await page.getByRole('button', { name: 'Allow', exact: true }).click();
      expect((await arrived).searchParams.get('code')).toBeTruthy();
    });
  });

  it('continue as (single sign-on from a redirect that cannot prove the app)', async () => {
    await withPhone(suite, {}, async (page) => {
      await signInThroughBrowser(page, suite, newAuthorization(suite.issuer, { redirectUri: callbackUri() }));
      const violations = collectCspViolations(page);
      expect((await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url))?.status()).toBe(200);
      const audits = await auditEverywhere(page, 'continue-as');
      expect(audits.light.headings).toEqual(['Continue to Demo App?']);
      expect(await page.title()).toBe('Continue to Demo App?');
      expect(await page.locator('.account').innerText()).toBe(`Signed in as ${DEMO_EMAIL}`);
      expect(await page.getByRole('button', { name: `Continue as ${DEMO_EMAIL}` }).isVisible()).toBe(true);
      expect(await page.getByRole('link', { name: 'Use another account' }).isVisible()).toBe(true);
      expect(violations).toEqual([]);
    });
  });

  // Regression: dark text on a brand colour measured 3.17:1; the text colour is now chosen for the brand colour.
  it('consent: the brand-coloured Allow button is readable in dark mode', async () => {
    await withPhone(suite, { colorScheme: 'dark' }, async (page) => {
      await openPartnerConsent(page, suite);
      const allow = (await auditPage(page)).texts.find((t) => isAllowButton(t.what));
      expect(allow).toBeDefined();
      expect(allow!.ratio, `${allow!.foreground} on ${allow!.background}`).toBeGreaterThanOrEqual(4.5);
    });
  });

  it('error page: the error code and a request id the server log shares', async () => {
    await withPhone(suite, {}, async (page) => {
      // An unregistered client: a page, never a redirect (RFC 6749 section 4.1.2.1).
      const url = newAuthorization(suite.issuer, { clientId: 'no-such-app', redirectUri: callbackUri() }).url;
      const response = await page.goto(url);
      expect(response?.status()).toBe(400);
      const audits = await auditEverywhere(page, 'error');
      expect(audits.light.headings).toEqual(['Sign-in request not valid']);
      expect(await page.title()).toBe('Sign-in request not valid');
      expect(await page.getByRole('alert').innerText()).toBe('The app that sent you here is not registered.');
      const reference = await page.locator('.reference').innerText();
      expect(reference).toBe(`Error invalid_request · Request ID ${response?.headers()['x-request-id']}`);
      expect(reference).toMatch(/ [0-9a-z]{10}$/);
    });
  });

  it('logout confirmation', async () => {
    await withPhone(suite, {}, async (page) => {
      await signInThroughBrowser(page, suite, newAuthorization(suite.issuer, { redirectUri: callbackUri() }));
      expect((await page.goto(`${suite.issuer}/logout`))?.status()).toBe(200);
      const audits = await auditEverywhere(page, 'logout-confirm');
      expect(audits.light.headings).toEqual(['Sign out?']);
      expect(await page.title()).toBe('Sign out?');
    });
  });

  it('signed out', async () => {
    await withPhone(suite, {}, async (page) => {
      // Without a session there is nothing to confirm: the browser is told it is signed out.
      expect((await page.goto(`${suite.issuer}/logout`))?.status()).toBe(200);
      const audits = await auditEverywhere(page, 'signed-out');
      expect(audits.light.headings).toEqual(['You are signed out']);
      expect(await page.title()).toBe('You are signed out');
    });
  });

  it('sign-up, and its refused password with the reason next to the field', async () => {
    await withPhone(suite, {}, async (page) => {
      const violations = collectCspViolations(page);
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      expect((await page.goto(`${suite.issuer}/signup`))?.status()).toBe(200);
      await page.getByRole('button', { name: 'Show password' }).waitFor({ state: 'visible' });
      const audits = await auditEverywhere(page, 'signup');
      expect(audits.light.headings).toEqual(['Create account']);
      expect(await page.title()).toBe('Create account · Demo App');
      await page.getByLabel('Email', { exact: true }).fill('pages-signup@example.com');
      await page.getByLabel('Password', { exact: true }).fill('12345678');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.locator('#password-problem').waitFor({ state: 'visible' });
      const refused = await auditEverywhere(page, 'signup-error');
      for (const scheme of SCHEMES) expect(refused[scheme].texts.find((t) => t.what.startsWith('<p> "This password is too common'))?.ratio).toBeGreaterThanOrEqual(4.5);
      expect(violations).toEqual([]);
    });
  });

  it('check your inbox, and finishing the sign-up from the mail', async () => {
    const email = `pages-${Date.now()}@example.com`;
    await withPhone(suite, {}, async (page) => {
      await page.goto(newAuthorization(suite.issuer, { redirectUri: callbackUri() }).url);
      await page.goto(`${suite.issuer}/signup`);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill('lighthouse keeper tide');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      expect((await auditEverywhere(page, 'check-inbox')).light.headings).toEqual(['Check your inbox']);
      await followMailLink(page, suite.issuer, email, '/signup/confirm');
      expect((await auditEverywhere(page, 'signup-confirm')).light.headings).toEqual(['Finish creating your account']);
    });
  });

  it('confirm your email (a client that requires it), and confirming a new address', async () => {
    const client = await management(suite.issuer, 'POST', '/clients', {
      name: 'Verified Only', type: 'public', redirect_uris: [callbackUri()], scopes: ['openid', 'read:items'], audiences: ['https://api.example.com'],
      require_verified_email: true,
    });
    const email = `pages-pending-${Date.now()}@example.com`;
    const moved = `pages-moved-${Date.now()}@example.com`;
    await createUser(suite.issuer, email, 'lighthouse keeper tide');
    await withPhone(suite, {}, async (page) => {
      const violations = collectCspViolations(page);
      await page.goto(newAuthorization(suite.issuer, { clientId: client.body.id as string, redirectUri: callbackUri() }).url);
      await submitLogin(page, suite.issuer, email, 'lighthouse keeper tide');
      await page.waitForURL(`${suite.issuer}/verify-email/pending`);
      expect((await auditEverywhere(page, 'verify-pending')).light.headings).toEqual(['Confirm your email']);
      await page.goto(`${suite.issuer}/account`);
      await page.getByLabel('New email').fill(moved);
      await page.getByLabel('Current password').nth(1).fill('lighthouse keeper tide');
      await page.getByRole('button', { name: 'Send confirmation link' }).click();
      await page.getByText('We sent a link to the new address').waitFor();
      await followMailLink(page, suite.issuer, moved, '/account/email/confirm');
      expect((await auditEverywhere(page, 'email-change-confirm')).light.headings).toEqual(['Confirm your new email']);
      expect(violations).toEqual([]);
    });
  });

  it('the account page: its sign-in form, the settings, and a refused new password', async () => {
    const email = `pages-account-${Date.now()}@example.com`;
    await createUser(suite.issuer, email, 'lighthouse keeper tide');
    await withPhone(suite, {}, async (page) => {
      const violations = collectCspViolations(page);
      expect((await page.goto(`${suite.issuer}/account`))?.status()).toBe(200);
      expect((await auditEverywhere(page, 'account-sign-in')).light.headings).toEqual(['Your account']);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill('lighthouse keeper tide');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(`Signed in as ${email}`).waitFor();
      expect((await auditEverywhere(page, 'account')).light.headings).toEqual(['Your account', 'Change password', 'Change email', 'Two-step verification', 'Language', 'Sessions', 'Your data', 'Delete account']);
      await page.getByLabel('Current password').first().fill('lighthouse keeper tide');
      await page.getByLabel('New password').fill('password1');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.locator('#new_password-problem').waitFor({ state: 'visible' });
      await auditEverywhere(page, 'account-password-refused');
      expect(violations).toEqual([]);
    });
  });

  it('forgot password, choosing a new one, and an expired link', async () => {
    await withPhone(suite, {}, async (page) => {
      const violations = collectCspViolations(page);
      expect((await page.goto(`${suite.issuer}/forgot`))?.status()).toBe(200);
      expect((await auditEverywhere(page, 'forgot-password')).light.headings).toEqual(['Reset your password']);
      await page.getByLabel('Email', { exact: true }).fill(DEMO_EMAIL);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      await followMailLink(page, suite.issuer, DEMO_EMAIL, '/reset');
      await page.getByRole('button', { name: 'Show password' }).waitFor({ state: 'visible' });
      expect((await auditEverywhere(page, 'reset-password')).light.headings).toEqual(['Choose a new password']);
      expect((await page.goto(`${suite.issuer}/reset?token=expired`))?.status()).toBe(400);
      expect((await auditEverywhere(page, 'link-expired')).light.headings).toEqual(['Link expired']);
      expect(violations).toEqual([]);
    });
  });

  it('confirming an address an operator asked about', async () => {
    const email = `pages-verify-${Date.now()}@example.com`;
    const id = await createUser(suite.issuer, email, 'some long password');
    expect((await management(suite.issuer, 'POST', `/users/${id}/verification-mail`, {})).status).toBe(202);
    await withPhone(suite, {}, async (page) => {
      await followMailLink(page, suite.issuer, email, '/verify-email');
      expect((await auditEverywhere(page, 'verify-email')).light.headings).toEqual(['Confirm your email']);
      await page.getByRole('button', { name: 'Confirm email' }).click();
      await page.getByRole('heading', { name: 'Email confirmed' }).waitFor();
    });
    expect((await management(suite.issuer, 'GET', `/users/${id}`)).body.email_verified).toBe(true);
  });

  it('the favicon every page links is served as an SVG', async () => {
    const response = await fetch(`${suite.issuer}/favicon.svg`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/svg+xml');
    await withPhone(suite, {}, async (page) => {
      await page.goto(`${suite.issuer}/favicon.ico`);
      // Chromium draws it as an image: an <svg> document of the padlock.
      expect(await page.evaluate(() => document.documentElement.tagName)).toBe('svg');
    });
  });
});
