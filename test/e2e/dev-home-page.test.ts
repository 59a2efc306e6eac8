import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerServer, type WorkerServer } from './worker-server';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'demo-password';

/** The few HTML escapes Hono's `html` template writes into attributes and text. */
const unescapeHtml = (text: string) =>
  text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/** The `-d name=value` pairs of the page's curl command, as curl would send them. */
function curlFields(command: string): Record<string, string> {
  return Object.fromEntries([...command.matchAll(/-d ([a-z_]+)=(\S+)/g)].map((match) => [match[1]!, match[2]!]));
}

/** The user's part, with fetch: the login page, the form, and the 303 to the app's redirect URI. */
async function signIn(signInUrl: URL): Promise<URL> {
  const authorized = await fetch(signInUrl, { redirect: 'manual' });
  expect(authorized.status).toBe(302);
  const loginUrl = new URL(authorized.headers.get('Location')!, signInUrl);
  const cookie = authorized.headers.getSetCookie()[0]!.split(';')[0]!;
  const page = await (await fetch(loginUrl, { headers: { Cookie: cookie } })).text();
  const requestId = /name="request_id" value="([^"]*)"/.exec(page)![1]!;
  const submitted = await fetch(loginUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookie },
    body: new URLSearchParams({ request_id: requestId, email: DEMO_EMAIL, password: DEMO_PASSWORD }),
  });
  expect(submitted.status).toBe(303);
  return new URL(submitted.headers.get('Location')!);
}

describe('GET / under `npm run dev` (DEV_HOME_PAGE=true on the loopback issuer)', () => {
  let server: WorkerServer;

  beforeAll(async () => {
    server = await startWorkerServer({ vars: { DEV_HOME_PAGE: 'true' } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('is a page with the headers of every page: no script, our own style only, never framed or cached', async () => {
    const response = await fetch(`${server.issuer}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(response.headers.get('X-Frame-Options')).toBe('DENY');
    const csp = response.headers.get('Content-Security-Policy')!;
    expect(csp).toMatch(/^default-src 'none';/);
    expect(csp).toMatch(/ style-src 'self' 'nonce-[\w-]+';/);
    const page = await response.text();
    expect(page).toMatch(/<link rel="stylesheet" href="\/static\/pages\.css\?v=[0-9a-f]{12}">/);
    expect(page).not.toContain('<script');
    expect(page).toContain(`Issuer <code>${server.issuer}</code>`);
    // The worker runs on a random port, so the commands name it (EDGE_AUTH_URL is for every tool).
    expect(page).toContain(`EDGE_AUTH_URL=${server.issuer} node examples/native-app/sign-in.mjs --open`);
    expect(page).toContain(`EDGE_AUTH_URL=${server.issuer} npm run admin -- clients list`);
  });

  it('links the discovery document and the JWKS, which answer', async () => {
    const page = await (await fetch(`${server.issuer}/`)).text();
    for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      expect(page).toContain(`href="${path}"`);
      expect((await fetch(new URL(path, server.issuer))).status).toBe(200);
    }
  });

  it('gives a sign-in link whose code the printed curl command redeems with the printed verifier', async () => {
    const page = await (await fetch(`${server.issuer}/`)).text();
    const signInUrl = new URL(unescapeHtml(/<a href="([^"]+)">Sign in to Demo App<\/a>/.exec(page)![1]!));
    expect(`${signInUrl.origin}${signInUrl.pathname}`).toBe(`${server.issuer}/authorize`);
    expect(Object.fromEntries(signInUrl.searchParams)).toMatchObject({
      client_id: 'demo-app',
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1/callback',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
    });

    const backToApp = await signIn(signInUrl);
    expect(`${backToApp.origin}${backToApp.pathname}`).toBe('http://127.0.0.1/callback');
    const code = backToApp.searchParams.get('code')!;

    const command = unescapeHtml(/<pre>(curl [^<]+)<\/pre>/.exec(page)![1]!);
    expect(command).toContain(`curl -s ${server.issuer}/oauth/token `);
    const fields = { ...curlFields(command), code };
    const redeemed = await fetch(`${server.issuer}/oauth/token`, { method: 'POST', body: new URLSearchParams(fields) });
    expect(redeemed.status).toBe(200);
    const tokens = (await redeemed.json()) as { access_token: string; id_token: string };
    expect(decodeJwt(tokens.id_token)).toMatchObject({ iss: server.issuer, aud: 'demo-app', sub: 'user_demo' });
  });

  it('makes a fresh verifier for every view', async () => {
    const challenge = async () => /code_challenge=([\w-]+)/.exec(await (await fetch(`${server.issuer}/`)).text())?.[1];
    expect(await challenge()).not.toBe(await challenge());
  });
});

describe('GET / without DEV_HOME_PAGE (the same loopback issuer)', () => {
  let server: WorkerServer;

  beforeAll(async () => {
    server = await startWorkerServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers the JSON 404 of any unknown path', async () => {
    const response = await fetch(`${server.issuer}/`);
    expect(response.status).toBe(404);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'not_found', error_description: 'No such endpoint.' });
  });
});
