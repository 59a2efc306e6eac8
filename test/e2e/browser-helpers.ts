/**
 * What the real-browser tests (test/e2e/browser-*.test.ts) share: Debian's Chromium, a worker
 * served over HTTP (./worker-server.ts), a phone-sized browser context, the app's loopback
 * listener (RFC 8252 section 7.3), PKCE, the token and Management API calls a test needs, and an
 * accessibility audit of a rendered page computed from the browser's own styles.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startWorkerServer, withTimeout, type WorkerServer } from './worker-server';

export { withTimeout };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RESULTS_DIR = join(ROOT, 'test-results');
const SCREENSHOT_DIR = join(RESULTS_DIR, 'screenshots');

export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password';
/** The one message the form gives for unknown accounts, wrong passwords and locked accounts (src/routes/login.ts). */
export const LOGIN_FAILED = 'Incorrect email or password.';

export const ACTION_TIMEOUT_MS = 10_000;
/**
 * Bounds on a failure, not expectations of speed: with every e2e file's worker and browser on a
 * two-CPU machine, a sign-in that hashes a scrypt password has taken over 15 s to reach the app.
 */
export const NAVIGATION_TIMEOUT_MS = 30_000;
const BROWSER_LAUNCH_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

/** Debian's Chromium; the tests need a real browser and do not download one. */
function findChromium(): string | undefined {
  const which = spawnSync('which', ['chromium'], { encoding: 'utf8', timeout: 5_000 });
  const path = which.status === 0 ? which.stdout.trim() : '';
  return path === '' ? undefined : path;
}

export const CHROMIUM = findChromium();

/** Call at the top of a browser test file: without Chromium its tests are skipped, and say so loudly. */
export function warnWhenSkipped(file: string): void {
  if (CHROMIUM) return;
  // Straight to stderr: vitest shows console output of failing tests only (`silent: 'passed-only'`).
  process.stderr.write(
    `\n*** SKIPPED: the real-browser tests of ${file} did not run: no \`chromium\` binary on PATH. ` +
      'Enable them with `apt-get install chromium` (Debian\'s package; nothing is downloaded by the tests). ***\n\n',
  );
}

async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: BROWSER_LAUNCH_TIMEOUT_MS,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function closeQuietly(what: string, close: (() => Promise<void>) | undefined): Promise<void> {
  if (!close) return;
  try {
    await withTimeout(close(), CLOSE_TIMEOUT_MS, `closing ${what}`);
  } catch (error) {
    console.warn(`browser tests: ${String(error)}`);
  }
}

/** The app's side of RFC 8252 section 7.3: a loopback listener that records what the browser brings back. */
export interface LoopbackListener {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Every request the browser made, in order. */
  requests: URL[];
  /** The first request to `path` that arrives after this call: call it before the action that redirects. */
  next(path: string): Promise<URL>;
  close(): Promise<void>;
}

export async function startLoopbackListener(): Promise<LoopbackListener> {
  const requests: URL[] = [];
  const waiting: { path: string; deliver: (url: URL) => void }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    requests.push(url);
    for (const waiter of waiting.filter((w) => w.path === url.pathname)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.deliver(url);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('done');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    next: (path) =>
      withTimeout(new Promise<URL>((deliver) => waiting.push({ path, deliver })), NAVIGATION_TIMEOUT_MS, `a request to the loopback ${path}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A worker, a loopback listener and a browser for one test file, started before and closed after its tests. */
export interface BrowserSuite {
  readonly issuer: string;
  readonly loopback: LoopbackListener;
  readonly browser: Browser;
}

/** Registers the file's beforeAll/afterAll; the returned object is usable inside tests. */
/** Under the e2e project's hookTimeout (vitest.config.ts): a fresh CI machine under the whole suite's load is slow to start things. */
const SUITE_START_MS = 200_000;

export function useBrowserSuite(options: { vars?: Readonly<Record<string, string>>; host?: 'localhost' } = {}): BrowserSuite {
  let worker: WorkerServer | undefined;
  let loopback: LoopbackListener | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    // Started side by side: the worker's migrations take most of the set-up time.
    // DEV_MAILBOX as `npm run dev` sets it: account mail is read on /dev/mailbox.
    // Each bounded below the hook's timeout, so a start that hangs on a loaded machine names itself.
    const [w, l, b] = await Promise.allSettled([
      withTimeout(startWorkerServer({ vars: { DEV_MAILBOX: 'true', ...options.vars }, host: options.host }), SUITE_START_MS, 'starting the worker'),
      withTimeout(startLoopbackListener(), SUITE_START_MS, 'starting the loopback listener'),
      withTimeout(launchChromium(), SUITE_START_MS, 'launching Chromium'),
    ]);
    worker = w.status === 'fulfilled' ? w.value : undefined;
    loopback = l.status === 'fulfilled' ? l.value : undefined;
    browser = b.status === 'fulfilled' ? b.value : undefined;
    const failed = [w, l, b].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  });

  afterAll(async () => {
    await closeQuietly('the browser', browser ? () => browser!.close() : undefined);
    await closeQuietly('the loopback listener', loopback?.close);
    await closeQuietly('the worker', worker?.close);
  });

  return {
    get issuer() {
      return worker!.issuer;
    },
    get loopback() {
      return loopback!;
    },
    get browser() {
      return browser!;
    },
  };
}

export interface PhoneOptions {
  colorScheme?: 'light' | 'dark';
  /**
   * Sent as CF-Connecting-IP, which the local runtime passes through: the login throttle then counts
   * this browser's failures under its own network instead of the address every other test shares.
   */
  clientIp?: string;
  /** False: the page as a browser with JavaScript turned off sees it (every page must work so). */
  javaScriptEnabled?: boolean;
}

/**
 * Runs `use` with a fresh cookie jar in a phone-sized window, as an app's in-app browser tab
 * (ASWebAuthenticationSession, Custom Tabs) opens it, and closes it afterwards.
 */
export async function withPhone<T>(suite: BrowserSuite, options: PhoneOptions, use: (page: Page) => Promise<T>): Promise<T> {
  const context = await suite.browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
    colorScheme: options.colorScheme ?? 'light',
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    ...(options.clientIp ? { extraHTTPHeaders: { 'CF-Connecting-IP': options.clientIp } } : {}),
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  try {
    return await use(await context.newPage());
  } finally {
    await closeQuietly('a browser context', () => context.close());
  }
}

/** RFC 7636 section 4.1 and 4.2: 32 random bytes as verifier, its S256 challenge. */
function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** One authorization request as a native app builds it, and what it keeps to check and redeem the answer. */
export interface Authorization {
  url: string;
  clientId: string;
  redirectUri: string;
  verifier: string;
  state: string;
}

export function newAuthorization(
  issuer: string,
  options: { clientId?: string; redirectUri: string; scope?: string; prompt?: string },
): Authorization {
  const { verifier, challenge } = pkcePair();
  const clientId = options.clientId ?? 'demo-app';
  const state = randomBytes(16).toString('base64url');
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce: randomBytes(16).toString('base64url'),
    scope: options.scope ?? 'openid read:items',
  });
  if (options.prompt) params.set('prompt', options.prompt);
  return { url: `${issuer}/authorize?${params.toString()}`, clientId, redirectUri: options.redirectUri, verifier, state };
}

/** Fills the login form and clicks Continue; returns the form post the browser actually sent. */
export async function submitLogin(page: Page, issuer: string, email: string, password: string): Promise<Request> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${issuer}/login`);
  await page.getByRole('button', { name: 'Continue' }).click();
  return posted;
}

/**
 * Opens the authorization request, signs in on the login page and returns what the browser
 * brought back to the loopback redirect URI (the code, or the consent page first when `expectConsent`).
 */
export async function signInThroughBrowser(
  page: Page,
  suite: BrowserSuite,
  authorization: Authorization,
  credentials: { email: string; password: string } = { email: DEMO_EMAIL, password: DEMO_PASSWORD },
): Promise<URLSearchParams> {
  const arrived = suite.loopback.next(new URL(authorization.redirectUri).pathname);
  await page.goto(authorization.url);
  expect(page.url()).toBe(`${suite.issuer}/login`);
  await submitLogin(page, suite.issuer, credentials.email, credentials.password);
  return (await arrived).searchParams;
}

export type TokenResponseBody = Record<string, unknown> & { access_token: string; id_token?: string; scope?: string };

/** The app redeems the code over the back channel (RFC 6749 section 4.1.3, RFC 7636 section 4.5). */
export async function redeemCode(issuer: string, authorization: Authorization, code: string): Promise<{ response: Response; body: TokenResponseBody }> {
  const response = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: authorization.clientId,
      code,
      redirect_uri: authorization.redirectUri,
      code_verifier: authorization.verifier,
    }),
    signal: AbortSignal.timeout(ACTION_TIMEOUT_MS),
  });
  return { response, body: (await response.json()) as TokenResponseBody };
}

/** One Management API call as the dev seed's operator client (client credentials, every scope it is granted). */
export async function management(issuer: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const tokenResponse = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from('dev-admin:dev-admin-secret').toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
    signal: AbortSignal.timeout(ACTION_TIMEOUT_MS),
  });
  const token = (await tokenResponse.json()) as { access_token?: string };
  if (tokenResponse.status !== 200 || !token.access_token) throw new Error(`dev-admin got no token: ${JSON.stringify(token)}`);
  const response = await fetch(`${issuer}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token.access_token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(ACTION_TIMEOUT_MS),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/**
 * Opens the dev mailbox in the page, filtered to `to`, and follows the newest message's link to
 * `path` from the keyboard (focus the link, Enter), as a person reading the mail would click it.
 */
export async function followMailLink(page: Page, issuer: string, to: string, path: string): Promise<void> {
  await page.goto(`${issuer}/dev/mailbox?to=${encodeURIComponent(to)}`);
  const link = page.locator('article').first().getByRole('link').filter({ hasText: `${issuer}${path}?` });
  await link.focus();
  await Promise.all([page.waitForURL((url) => url.pathname === path), page.keyboard.press('Enter')]);
}

/** A user of its own for a test that changes an account's state (locks it, signs it out). */
export async function createUser(issuer: string, email: string, password: string): Promise<string> {
  const created = await management(issuer, 'POST', '/users', { email, password, name: 'Browser Test User' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

/** Moves focus with Tab until the focused element has this accessible text (a link or button), then presses Enter. */
export async function tabToAndPress(page: Page, text: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    if (focused === text) {
      await page.keyboard.press('Enter');
      return;
    }
  }
  throw new Error(`no focusable "${text}" reached with Tab`);
}

/** `scale: 'css'` saves one pixel per CSS pixel (a desktop window), instead of the phone's three. */
export async function saveScreenshot(page: Page, name: string, scale: 'css' | 'device' = 'device'): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, scale });
  return path;
}

// ---- Accessibility audit ---------------------------------------------------------------------

/** A piece of text as the browser renders it: its colour and the backgrounds behind it, innermost first. */
interface RenderedText {
  what: string;
  color: string;
  backgrounds: string[];
  fontSizePx: number;
  fontWeight: number;
}

interface PageFacts {
  lang: string;
  headings: string[];
  /** Form controls without an accessible label, described by tag and name. */
  unlabelled: string[];
  /** Buttons without text. */
  unnamedButtons: number;
  scrollWidth: number;
  clientWidth: number;
  texts: RenderedText[];
}

/** Collected inside the page; no helper functions, so nothing but this callback is serialised. */
async function pageFacts(page: Page): Promise<PageFacts> {
  return page.evaluate(() => {
    const texts: RenderedText[] = [];
    const seen = new Set<Element>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const elements: { element: Element; what: string }[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      const text = (node.textContent ?? '').trim();
      if (!element || text === '' || seen.has(element)) continue;
      seen.add(element);
      elements.push({ element, what: `<${element.tagName.toLowerCase()}> "${text.slice(0, 40)}"` });
    }
    // Text typed into a field is drawn in the field's own colour.
    for (const input of Array.from(document.querySelectorAll('input:not([type=hidden])')) as HTMLInputElement[]) {
      if (input.value !== '') elements.push({ element: input, what: `<input name=${input.name}> value` });
    }
    for (const { element, what } of elements) {
      if (!element.checkVisibility()) continue;
      const style = getComputedStyle(element);
      const backgrounds: string[] = [];
      for (let e: Element | null = element; e; e = e.parentElement) backgrounds.push(getComputedStyle(e).backgroundColor);
      texts.push({ what, color: style.color, backgrounds, fontSizePx: parseFloat(style.fontSize), fontWeight: Number(style.fontWeight) });
    }
    const controls = Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')) as HTMLInputElement[];
    return {
      lang: document.documentElement.lang,
      headings: Array.from(document.querySelectorAll('h1, h2, h3')).map((h) => (h.textContent ?? '').trim()),
      unlabelled: controls
        .filter((c) => (c.labels?.length ?? 0) === 0 && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
        .map((c) => `<${c.tagName.toLowerCase()} name=${c.name}>`),
      unnamedButtons: Array.from(document.querySelectorAll('button')).filter((b) => (b.textContent ?? '').trim() === '').length,
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      texts,
    };
  });
}

type Rgba = [number, number, number, number];

function parseColor(css: string): Rgba {
  const match = /^rgba?\(([^)]+)\)$/.exec(css.trim());
  if (!match) throw new Error(`unexpected computed colour ${css}`);
  const [r = 0, g = 0, b = 0, a = 1] = match[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
  return [r, g, b, a];
}

/** `top` drawn over the opaque `bottom`. */
function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i]! * a + bottom[i]! * (1 - a)).concat(1) as Rgba;
}

/** The opaque colour behind an element: its backgrounds composed from the root outwards (the canvas taken as white or black). */
function effectiveBackground(backgrounds: readonly string[], canvas: Rgba): Rgba {
  return [...backgrounds].reverse().reduce((below, css) => over(parseColor(css), below), canvas);
}

/** WCAG 2.2 relative luminance. */
function luminance([r, g, b]: Rgba): number {
  const [R, G, B] = [r, g, b].map((v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
}

/** WCAG 2.2 contrast ratio, 1 to 21. */
function contrastRatio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** WCAG 1.4.3 AA: 3:1 for large text (24px, or 18.66px bold), 4.5:1 for the rest. */
function requiredContrast(text: RenderedText): number {
  return text.fontSizePx >= 24 || (text.fontSizePx >= 18.66 && text.fontWeight >= 700) ? 3 : 4.5;
}

export interface TextContrast {
  what: string;
  ratio: number;
  required: number;
  foreground: string;
  background: string;
}

export interface PageAudit {
  lang: string;
  headings: string[];
  unlabelled: string[];
  unnamedButtons: number;
  horizontalOverflowPx: number;
  /** Luminance of the page background: high in light mode, low in dark. */
  backgroundLuminance: number;
  texts: TextContrast[];
}

const hex = (c: Rgba) => `#${c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

export async function auditPage(page: Page): Promise<PageAudit> {
  const facts = await pageFacts(page);
  const dark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  const canvas: Rgba = dark ? [0, 0, 0, 1] : [255, 255, 255, 1];
  const body = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  return {
    lang: facts.lang,
    headings: facts.headings,
    unlabelled: facts.unlabelled,
    unnamedButtons: facts.unnamedButtons,
    horizontalOverflowPx: facts.scrollWidth - facts.clientWidth,
    backgroundLuminance: luminance(effectiveBackground([body], canvas)),
    texts: facts.texts.map((text) => {
      const background = effectiveBackground(text.backgrounds, canvas);
      const foreground = over(parseColor(text.color), background);
      return { what: text.what, ratio: contrastRatio(foreground, background), required: requiredContrast(text), foreground: hex(foreground), background: hex(background) };
    }),
  };
}

/**
 * The basics on a phone: `<html lang>`, a heading, every control labelled, every button named,
 * no horizontal scrolling, text contrast per WCAG 1.4.3 AA, and the colour scheme actually applied.
 * `exceptText` leaves out texts asserted on their own (a known bug kept in an `it.fails`).
 */
export function expectAccessible(audit: PageAudit, scheme: 'light' | 'dark', exceptText: (what: string) => boolean = () => false): void {
  expect(audit.lang).toMatch(/^[a-z]{2}(-[A-Z]{2})?$/);
  expect(audit.headings.length).toBeGreaterThan(0);
  expect(audit.unlabelled).toEqual([]);
  expect(audit.unnamedButtons).toBe(0);
  expect(audit.horizontalOverflowPx).toBeLessThanOrEqual(0);
  if (scheme === 'dark') expect(audit.backgroundLuminance).toBeLessThan(0.05);
  else expect(audit.backgroundLuminance).toBeGreaterThan(0.8);
  expect(audit.texts.length).toBeGreaterThan(0);
  const tooFaint = audit.texts
    .filter((t) => !exceptText(t.what) && t.ratio < t.required)
    .map((t) => `${t.what}: ${t.foreground} on ${t.background} is ${t.ratio.toFixed(2)}:1, needs ${t.required}:1`);
  expect(tooFaint).toEqual([]);
}
