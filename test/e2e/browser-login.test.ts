import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerServer, withTimeout, type WorkerServer } from './worker-server';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOT = join(ROOT, 'test-results/login-phone.png');
const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'demo-password';
const ACTION_TIMEOUT_MS = 10_000;
const NAVIGATION_TIMEOUT_MS = 15_000;
const BROWSER_LAUNCH_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

/** Debian's Chromium; the tests need a real browser and do not download one. */
function findChromium(): string | undefined {
  const which = spawnSync('which', ['chromium'], { encoding: 'utf8', timeout: 5_000 });
  const path = which.status === 0 ? which.stdout.trim() : '';
  return path === '' ? undefined : path;
}

const CHROMIUM = findChromium();
if (!CHROMIUM) {
  console.warn(
    '\n*** SKIPPED: the real-browser login tests (test/e2e/browser-login.test.ts) did not run: ' +
      'no `chromium` binary on PATH. Enable them with `apt-get install chromium`. ***\n',
  );
}

/** The app's side of RFC 8252 section 7.3: a loopback listener that records what the browser brings back. */
interface LoopbackRedirect {
  uri: string;
  /** The query of the first request to /callback. */
  received: Promise<URLSearchParams>;
  requests: URL[];
  close(): Promise<void>;
}

async function startLoopbackRedirect(): Promise<LoopbackRedirect> {
  let deliver: (query: URLSearchParams) => void = () => undefined;
  const received = new Promise<URLSearchParams>((resolve) => (deliver = resolve));
  const requests: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/callback') {
      requests.push(url);
      deliver(url.searchParams);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('done');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://127.0.0.1:${port}/callback`,
    received,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** RFC 7636 section 4.1 and 4.2: 32 random bytes as verifier, its S256 challenge. */
function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(issuer: string, params: Record<string, string>): string {
  return `${issuer}/authorize?${new URLSearchParams(params).toString()}`;
}

async function closeQuietly(what: string, close: (() => Promise<void>) | undefined): Promise<void> {
  if (!close) return;
  try {
    await withTimeout(close(), CLOSE_TIMEOUT_MS, `closing ${what}`);
  } catch (error) {
    console.warn(`browser-login: ${String(error)}`);
  }
}

describe.skipIf(!CHROMIUM)('login page in a real browser (Chromium, phone viewport)', () => {
  let worker: WorkerServer | undefined;
  let callback: LoopbackRedirect | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    worker = await startWorkerServer();
    callback = await startLoopbackRedirect();
    browser = await chromium.launch({
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
  });

  afterAll(async () => {
    await closeQuietly('the browser', browser ? () => browser!.close() : undefined);
    await closeQuietly('the loopback redirect', callback?.close);
    await closeQuietly('the worker', worker?.close);
  });

  /** A fresh cookie jar in a phone-sized window, as an app's in-app browser tab would open. */
  async function phonePage(): Promise<Page> {
    const context = await browser!.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 3,
      isMobile: true,
      hasTouch: true,
    });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    return context.newPage();
  }

  function startAuthorization(redirectUri: string) {
    const { verifier, challenge } = pkcePair();
    const state = randomBytes(16).toString('base64url');
    const url = authorizeUrl(worker!.issuer, {
      client_id: 'demo-app',
      redirect_uri: redirectUri,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      scope: 'openid read:items',
    });
    return { url, verifier, state };
  }

  /** Clicks Continue and returns the form post the browser actually sent. */
  async function submit(page: Page): Promise<Request> {
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${worker!.issuer}/login`);
    await page.getByRole('button', { name: 'Continue' }).click();
    return posted;
  }

  it('/authorize lands on a labelled login form that names the app', async () => {
    const page = await phonePage();
    try {
      const response = await page.goto(startAuthorization(callback!.uri).url);
      expect(response?.status()).toBe(200);
      expect(page.url()).toBe(`${worker!.issuer}/login`);
      expect(response?.headers()['referrer-policy']).toBe('no-referrer');

      const email = page.getByLabel('Email', { exact: true });
      const password = page.getByLabel('Password', { exact: true });
      await email.waitFor({ state: 'visible' });
      await password.waitFor({ state: 'visible' });
      expect(await email.getAttribute('type')).toBe('email');
      expect(await password.getAttribute('type')).toBe('password');
      expect(await page.getByRole('button', { name: 'Continue' }).isVisible()).toBe(true);
      expect(await page.locator('main').innerText()).toContain('Demo App');

      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await page.context().close();
    }
  });

  it('refuses a wrong password on the page, then returns a code to the loopback redirect that redeems for tokens', async () => {
    const page = await phonePage();
    try {
      const { url, verifier, state } = startAuthorization(callback!.uri);
      await page.goto(url);
      expect(page.url()).toBe(`${worker!.issuer}/login`);

      // A wrong password: the form comes back with the error, still on our login page.
      await page.getByLabel('Email', { exact: true }).fill(DEMO_EMAIL);
      await page.getByLabel('Password', { exact: true }).fill('wrong-password');
      const wrong = await submit(page);
      // `Referrer-Policy: no-referrer` makes Chromium send `Origin: null`; the server must take it.
      expect(await wrong.headerValue('origin')).toBe('null');
      expect((await wrong.response())?.status()).toBe(401);
      const alert = page.getByRole('alert');
      await alert.waitFor({ state: 'visible' });
      expect(await alert.innerText()).toMatch(/^Incorrect email or password\./);
      expect(page.url()).toBe(`${worker!.issuer}/login`);
      expect(callback!.requests).toHaveLength(0);

      // The right password: 303 to the registered loopback URI with the port the app listens on.
      await page.getByLabel('Email', { exact: true }).fill(DEMO_EMAIL);
      await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
      const right = await submit(page);
      expect(await right.headerValue('origin')).toBe('null');
      const redirect = await right.response();
      expect(redirect?.status()).toBe(303);
      expect(redirect?.headers()['location']?.startsWith(`${callback!.uri}?`)).toBe(true);

      const query = await withTimeout(callback!.received, NAVIGATION_TIMEOUT_MS, 'the loopback redirect');
      expect(query.get('code')).toBeTruthy();
      expect(query.get('state')).toBe(state);
      // RFC 9207: the issuer identifies who sent the code.
      expect(query.get('iss')).toBe(worker!.issuer);
      expect(query.get('error')).toBeNull();
      await page.waitForURL((u) => u.href.startsWith(`${callback!.uri}?`));
      expect(await page.locator('body').innerText()).toBe('done');

      // The app redeems the code over the back channel (RFC 6749 section 4.1.3, RFC 7636 section 4.5).
      const tokenResponse = await fetch(`${worker!.issuer}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'demo-app',
          code: query.get('code')!,
          redirect_uri: callback!.uri,
          code_verifier: verifier,
        }),
        signal: AbortSignal.timeout(ACTION_TIMEOUT_MS),
      });
      const body = (await tokenResponse.json()) as Record<string, unknown>;
      expect(tokenResponse.status, JSON.stringify(body)).toBe(200);
      expect(tokenResponse.headers.get('Cache-Control')).toBe('no-store');
      expect(body).toMatchObject({ token_type: 'Bearer', scope: 'openid read:items' });
      expect(typeof body.access_token).toBe('string');
      expect(typeof body.id_token).toBe('string');
      expect(decodeJwt(body.access_token as string)).toMatchObject({ iss: worker!.issuer, sub: 'user_demo', client_id: 'demo-app' });
      expect(callback!.requests).toHaveLength(1);
    } finally {
      await page.context().close();
    }
  });
});
