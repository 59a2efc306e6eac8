/**
 * Issue 18: an error a developer can act on. Every error answer carries a short request id (on the
 * page, and as `X-Request-Id`), and the log has one JSON line under that id with what the client
 * was not told: for /authorize refusals the client_id and redirect_uri received (bounded), on a
 * developer's machine (a loopback issuer) also the registered redirect URIs; for invalid_scope the
 * scope refused. The line never holds a secret (test/attacks/no-secrets-in-logs.test.ts).
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { buildApp } from '../src/app';
import { expectErrorPage } from './helpers/assertions';
import { DEMO_REDIRECT, REGISTERED_REDIRECTS } from './helpers/fixtures';
import { authorizePath, defaultAuthorization } from './helpers/flow';
import { call, form } from './helpers/http';

const REQUEST_ID = /^[0-9a-hjkmnp-tv-z]{10}$/;

let spies: MockInstance[] = [];
let lines: string[] = [];

beforeEach(() => {
  lines = [];
  spies = (['log', 'warn', 'error'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    }),
  );
});

afterEach(() => {
  for (const spy of spies) spy.mockRestore();
});

/** The one error line logged under `requestId`, parsed. */
function loggedUnder(requestId: string): Record<string, unknown> {
  const matching = lines.filter((line) => line.includes(requestId));
  expect(matching, lines.join('\n')).toHaveLength(1);
  const entry = JSON.parse(matching[0]!) as Record<string, unknown>;
  expect(entry.request_id).toBe(requestId);
  return entry;
}

/** The error page's code and request id, and the same id in its header. */
async function shownReference(response: Response, status = 400): Promise<{ code: string; requestId: string; html: string }> {
  const html = await expectErrorPage(response, status);
  const shown = /Error <code>([a-z_]+)<\/code> · Request ID <code>([^<]+)<\/code>/.exec(html);
  expect(shown, html).not.toBeNull();
  const [, code, requestId] = shown!;
  expect(requestId).toMatch(REQUEST_ID);
  expect(response.headers.get('X-Request-Id')).toBe(requestId);
  return { code: code!, requestId: requestId!, html };
}

describe('error pages name the error and a request id the log shares', () => {
  it('an unknown client_id: the page shows invalid_request and the id; the log line has the client_id and redirect_uri received', async () => {
    const { params } = await defaultAuthorization({ client_id: 'no-such-app', redirect_uri: 'com.example.nosuch:/cb' });
    const { code, requestId, html } = await shownReference(await call(authorizePath(params)));
    expect(code).toBe('invalid_request');
    expect(html).toContain('<title>Sign-in request not valid</title>');
    expect(html).toContain('The app that sent you here is not registered.');
    expect(loggedUnder(requestId)).toEqual({
      event: 'request_refused',
      request_id: requestId,
      error: 'invalid_request',
      status: 400,
      path: '/authorize',
      detail: { client_id: ['no-such-app'], redirect_uri: ['com.example.nosuch:/cb'] },
    });
  });

  it('an unregistered redirect_uri: the received one is logged, the registered ones only on a developer machine', async () => {
    const { params } = await defaultAuthorization({ redirect_uri: 'https://evil.example/cb' });
    const { requestId } = await shownReference(await call(authorizePath(params)));
    // The test issuer is https (a deployment): what the client registered stays out of the log.
    expect(loggedUnder(requestId).detail).toEqual({ client_id: ['demo-app'], redirect_uri: ['https://evil.example/cb'] });
  });

  it('on a loopback issuer (npm run dev) the line also lists the client\'s registered redirect URIs', async () => {
    const { params } = await defaultAuthorization({ redirect_uri: 'com.example.demo:/calback' });
    const devEnv = { ...env, ISSUER: 'http://127.0.0.1:8787' };
    const ctx = createExecutionContext();
    const response = await buildApp().fetch(new Request(`http://127.0.0.1:8787${authorizePath(params)}`), devEnv, ctx);
    await waitOnExecutionContext(ctx);
    const { requestId } = await shownReference(response);
    expect(loggedUnder(requestId).detail).toEqual({
      client_id: ['demo-app'],
      redirect_uri: ['com.example.demo:/calback'],
      registered_redirect_uris: REGISTERED_REDIRECTS['demo-app'],
    });
  });

  it('repeated and oversized values are logged bounded: at most 10 values of at most 256 characters', async () => {
    const query = new URLSearchParams([...Array.from({ length: 12 }, (_, i) => ['client_id', `app-${i}`]), ['redirect_uri', `https://a.example/${'x'.repeat(3000)}`]]);
    const { requestId } = await shownReference(await call(`/authorize?${query}`));
    const detail = loggedUnder(requestId).detail as { client_id: string[]; redirect_uri: string[] };
    expect(detail.client_id).toEqual(Array.from({ length: 10 }, (_, i) => `app-${i}`));
    expect(detail.redirect_uri[0]).toMatch(/^https:\/\/a\.example\/x{238}…\(3018 chars\)$/);
  });

  it('every id is fresh', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await call('/consent')).headers.get('X-Request-Id')!);
    expect(ids.size).toBe(5);
  });

  it('a page refusal without a private detail still shows its code and id, and logs under it', async () => {
    const { code, requestId } = await shownReference(await call('/login'));
    expect(code).toBe('invalid_request');
    expect(loggedUnder(requestId)).toMatchObject({ event: 'request_refused', path: '/login', status: 400 });
  });
});

describe('errors that are not pages carry the id as a header', () => {
  it('invalid_scope at /authorize: the redirect to the app has the id, and its line names the scope refused', async () => {
    const { params } = await defaultAuthorization({ scope: 'openid delete:everything' });
    const response = await call(authorizePath(params));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location')!);
    expect(`${location.protocol}${location.pathname}`).toBe(DEMO_REDIRECT);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    const requestId = response.headers.get('X-Request-Id')!;
    expect(requestId).toMatch(REQUEST_ID);
    expect(loggedUnder(requestId)).toMatchObject({
      error: 'invalid_scope',
      path: '/authorize',
      detail: { refused_scope: 'delete:everything', reason: 'not defined by the API' },
    });
  });

  it('a JSON error of the token endpoint: the body keeps the RFC shape, the header has the id of its line', async () => {
    const response = await call('/oauth/token', form({ grant_type: 'authorization_code', client_id: 'demo-app', code: 'nope', code_verifier: 'x'.repeat(43), redirect_uri: DEMO_REDIRECT }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
    const requestId = response.headers.get('X-Request-Id')!;
    expect(loggedUnder(requestId)).toMatchObject({ event: 'request_refused', error: body.error, path: '/oauth/token', status: 400 });
    // The code the client sent is never part of the line.
    expect(lines.join('\n')).not.toContain('nope');
  });
});
