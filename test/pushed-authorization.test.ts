/**
 * Pushed authorization requests (RFC 9126): POST /par authenticates the client as the token
 * endpoint does and checks the request as /authorize does, with errors as JSON; /authorize then
 * takes the request by reference, once, before it expires, for the client that pushed it.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { sha256Base64url } from '../src/crypto/hash';
import { expectErrorPage, expectErrorRedirect, expectLoginRedirect, expectOAuthError, PUSH_ERRORS, verifiedIdToken } from './helpers/assertions';
import { DEFAULT_NONCE, DEFAULT_STATE, DEMO_REDIRECT, ISSUER } from './helpers/fixtures';
import { openLogin, push, pushAuthorization, pushedAuthorizePath, redeemForTokens, submitLogin, defaultAuthorization, authorizePath } from './helpers/flow';
import { basic, call, form } from './helpers/http';
import { createClient, eventNames, management, ok, waitForAudit } from './helpers/management';
import { insertClient } from './helpers/storage';
import { freshIp } from './helpers/values';

const CONFIDENTIAL = { id: 'par-confidential', secret: 'par-confidential-secret', redirect: 'https://app.example.org/callback' };

async function insertConfidentialClient(): Promise<void> {
  await insertClient({ id: CONFIDENTIAL.id, type: 'confidential', secretHash: await sha256Base64url(CONFIDENTIAL.secret), redirectUris: [CONFIDENTIAL.redirect] });
}

/** The pushed request used at /authorize, signed in with the demo account: the code on the redirect back. */
async function signInWith(requestUri: string, verifier: string, params: Record<string, string | undefined>, ignored: Record<string, string> = {}) {
  const pending = await openLogin(await call(pushedAuthorizePath(params.client_id!, requestUri, ignored)), verifier, params);
  const response = await submitLogin(pending, {}, { 'CF-Connecting-IP': freshIp() });
  expect(response.status).toBe(303);
  return new URL(response.headers.get('Location')!);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('POST /par', () => {
  it('takes a public client by its client_id and answers 201 with a request_uri that expires in 60 s', async () => {
    const pushed = await pushAuthorization();
    expect(pushed.expiresIn).toBe(60);
  });

  it('gives a different request_uri for every push', async () => {
    const uris = await Promise.all([pushAuthorization(), pushAuthorization(), pushAuthorization()]);
    expect(new Set(uris.map((pushed) => pushed.requestUri)).size).toBe(3);
  });

  it('authenticates a confidential client with HTTP Basic or client_secret_post, as the token endpoint does', async () => {
    await insertConfidentialClient();
    const base = { client_id: CONFIDENTIAL.id, redirect_uri: CONFIDENTIAL.redirect, code_challenge: undefined, code_challenge_method: undefined, scope: 'openid read:items' };
    await pushAuthorization({ ...base, client_id: undefined }, { Authorization: basic(CONFIDENTIAL.id, CONFIDENTIAL.secret) });
    await pushAuthorization({ ...base, client_secret: CONFIDENTIAL.secret });
  });

  it.each([
    ['a wrong secret', { client_secret: 'wrong' }, {}],
    ['no secret', {}, {}],
    ['a wrong Basic secret', { client_id: undefined }, { Authorization: basic(CONFIDENTIAL.id, 'wrong') }],
  ])('refuses a confidential client with %s: 401 invalid_client', async (_name, change, headers) => {
    await insertConfidentialClient();
    const { params } = await defaultAuthorization({ client_id: CONFIDENTIAL.id, redirect_uri: CONFIDENTIAL.redirect, ...change });
    const response = await push(params, headers);
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Basic realm="edge-auth"/);
    await expectOAuthError(response, 401, 'invalid_client', PUSH_ERRORS);
  });

  it.each([
    ['an unknown client', { client_id: 'nobody' }],
    ['no client_id', { client_id: undefined }],
    ['a public client sending a secret', { client_secret: 'anything' }],
  ])('refuses %s: 401 invalid_client', async (_name, change) => {
    const { params } = await defaultAuthorization(change);
    await expectOAuthError(await push(params), 401, 'invalid_client', PUSH_ERRORS);
  });

  it.each([
    ['no redirect_uri', { redirect_uri: undefined }, 'invalid_request'],
    ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example/cb' }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['no PKCE from a public client', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['an audience the client may not use', { audience: 'https://other.example.com' }, 'invalid_request'],
    ['an unknown prompt', { prompt: 'maybe' }, 'invalid_request'],
    ['a request object', { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
    ['a request_uri (RFC 9126 section 2.1)', { request_uri: 'urn:ietf:params:oauth:request_uri:abc' }, 'invalid_request'],
  ])('refuses %s as JSON, never a redirect: 400 %s', async (_name, change, error) => {
    const { params } = await defaultAuthorization(change);
    const response = await push(params);
    expect(response.headers.get('Location')).toBeNull();
    await expectOAuthError(response, 400, error, PUSH_ERRORS);
  });

  it('refuses a repeated parameter and a body that is not form-encoded', async () => {
    await expectOAuthError(await call('/par', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'client_id=demo-app&state=a&state=b' }), 400, 'invalid_request', PUSH_ERRORS);
    const { params } = await defaultAuthorization();
    await expectOAuthError(await call('/par', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(params) }), 400, 'invalid_request', PUSH_ERRORS);
  });

  it('answers other methods with 405 and Allow: POST', async () => {
    const response = await call('/par');
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('POST');
  });

  it('records authorization_request_pushed, with the client and no request parameter', async () => {
    const since = new Date(Date.now() - 1).toISOString();
    await pushAuthorization();
    const events = await waitForAudit(`event=authorization_request_pushed&since=${since}`, (items) => items.length > 0);
    expect(eventNames(events)[0]).toBe('authorization_request_pushed');
    expect(events[0]).toMatchObject({ client_id: 'demo-app', detail: { expires_in: 60 } });
    expect(JSON.stringify(events[0])).not.toContain(DEFAULT_STATE);
  });
});

describe('GET /authorize with a pushed request', () => {
  it('signs in with the pushed parameters and the code redeems with the pushed PKCE verifier', async () => {
    const pushed = await pushAuthorization();
    const location = await signInWith(pushed.requestUri, pushed.verifier, pushed.params);
    expect(location.href.startsWith(`${DEMO_REDIRECT}?`)).toBe(true);
    expect(location.searchParams.get('state')).toBe(DEFAULT_STATE);
    expect(location.searchParams.get('iss')).toBe(ISSUER);
    const tokens = await redeemForTokens({ code: location.searchParams.get('code')!, verifier: pushed.verifier, redirectUri: DEMO_REDIRECT, location });
    expect((await verifiedIdToken(tokens.id_token!)).nonce).toBe(DEFAULT_NONCE);
  });

  it('ignores every front-channel parameter but client_id and request_uri: the pushed ones count', async () => {
    const pushed = await pushAuthorization();
    const attacker = await defaultAuthorization({ redirect_uri: 'http://127.0.0.1:4444/callback', state: 'front-state', scope: 'openid write:items', nonce: 'front-nonce' });
    const ignored = { ...(attacker.params as Record<string, string>), response_type: 'token', prompt: 'none', request: 'x' };
    const location = await signInWith(pushed.requestUri, pushed.verifier, pushed.params, ignored);
    expect(location.href.startsWith(`${DEMO_REDIRECT}?`)).toBe(true);
    expect(location.searchParams.get('state')).toBe(DEFAULT_STATE);
    const issued = { code: location.searchParams.get('code')!, verifier: pushed.verifier, redirectUri: DEMO_REDIRECT, location };
    const tokens = await redeemForTokens(issued);
    expect(tokens.scope.split(' ').sort()).toEqual(['openid', 'read:items']);
    expect((await verifiedIdToken(tokens.id_token!)).nonce).toBe(DEFAULT_NONCE);
  });

  it('redirects a later error with the pushed redirect URI and state (prompt=none without a session)', async () => {
    const pushed = await pushAuthorization({ prompt: 'none', state: 'pushed-state' });
    const response = await call(pushedAuthorizePath('demo-app', pushed.requestUri, { state: 'front-state', redirect_uri: 'https://demo.example.com/callback' }));
    expectErrorRedirect(response, 'login_required', { state: 'pushed-state' });
  });

  it('uses a request_uri once: a second use is an error page', async () => {
    const pushed = await pushAuthorization();
    expectLoginRedirect(await call(pushedAuthorizePath('demo-app', pushed.requestUri)));
    const html = await expectErrorPage(await call(pushedAuthorizePath('demo-app', pushed.requestUri)));
    expect(html).toContain('expired or was already used');
  });

  it(`refuses it once it expired: usable for 59.9 s, not at 60 s (frozen clock)`, async () => {
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now);
    const fresh = await pushAuthorization();
    const stale = await pushAuthorization();
    vi.spyOn(Date, 'now').mockReturnValue(now + 59_900);
    expectLoginRedirect(await call(pushedAuthorizePath('demo-app', fresh.requestUri)));
    vi.spyOn(Date, 'now').mockReturnValue(now + 60_000);
    await expectErrorPage(await call(pushedAuthorizePath('demo-app', stale.requestUri)));
  });

  it('refuses another client using it (the client_id must match), on a page, and the request is spent', async () => {
    const pushed = await pushAuthorization();
    await expectErrorPage(await call(pushedAuthorizePath('other-app', pushed.requestUri)));
    await expectErrorPage(await call(pushedAuthorizePath('demo-app', pushed.requestUri)));
  });

  it.each([
    ['an unknown request_uri', `urn:ietf:params:oauth:request_uri:${'A'.repeat(43)}`],
    ['a malformed one of ours', 'urn:ietf:params:oauth:request_uri:abc'],
  ])('shows %s an error page, never a redirect', async (_name, requestUri) => {
    await expectErrorPage(await call(pushedAuthorizePath('demo-app', requestUri, { redirect_uri: DEMO_REDIRECT, state: DEFAULT_STATE })));
  });

  it('refuses a request_uri that is not from /par with request_uri_not_supported, redirected', async () => {
    const { params } = await defaultAuthorization({ request_uri: 'https://app.example.org/request.jwt' });
    expectErrorRedirect(await call(authorizePath(params)), 'request_uri_not_supported');
  });
});

describe('require_pushed_authorization_requests', () => {
  it('refuses a request sent in full, redirected, and accepts the same request pushed', async () => {
    const redirectUri = 'com.example.pushing:/callback';
    const client = await createClient({ redirect_uris: [redirectUri], scopes: ['openid', 'read:items'], audiences: ['https://api.example.com'] });
    await ok(await management('PATCH', `/clients/${client.id}`, { require_pushed_authorization_requests: true }));
    const { params } = await defaultAuthorization({ client_id: client.id, redirect_uri: redirectUri, scope: 'openid read:items' });
    const refused = expectErrorRedirect(await call(authorizePath(params)), 'invalid_request', { redirectUri });
    expect(refused.get('error_description')).toContain('pushed authorization request endpoint');

    const pushed = await pushAuthorization({ client_id: client.id, redirect_uri: redirectUri, scope: 'openid read:items' });
    expectLoginRedirect(await call(pushedAuthorizePath(client.id, pushed.requestUri)));
  });

  it('is off for the dev seed’s clients: they may send requests in full', async () => {
    const { params } = await defaultAuthorization();
    expectLoginRedirect(await call(authorizePath(params)));
  });
});

/** The worker with REQUIRE_PUSHED_AUTHORIZATION_REQUESTS=true, as a deployment with that var would run. */
async function callRequiringPar(path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const vars = { REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: 'true' };
  const response = await worker.fetch(new Request(new URL(path, ISSUER), { redirect: 'manual', ...init }), { ...env, ...vars } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe('REQUIRE_PUSHED_AUTHORIZATION_REQUESTS=true', () => {
  it('refuses every client’s request sent in full, accepts a pushed one, and discovery says so', async () => {
    const { params } = await defaultAuthorization();
    expectErrorRedirect(await callRequiringPar(authorizePath(params)), 'invalid_request');
    const pushed = await callRequiringPar('/par', form(params as Record<string, string>));
    expect(pushed.status).toBe(201);
    const { request_uri: requestUri } = (await pushed.json()) as { request_uri: string };
    expectLoginRedirect(await callRequiringPar(pushedAuthorizePath('demo-app', requestUri)));
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      expect(await (await callRequiringPar(path)).json()).toMatchObject({ require_pushed_authorization_requests: true });
    }
  });
});

describe('discovery', () => {
  it.each(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'])('%s advertises the endpoint and that pushing is not required server-wide', async (path) => {
    const metadata = (await (await call(path)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ pushed_authorization_request_endpoint: `${ISSUER}/par`, require_pushed_authorization_requests: false });
  });
});

describe('CORS', () => {
  it('lets browser-based apps push, as they may call the token endpoint', async () => {
    const { params } = await defaultAuthorization();
    const response = await call('/par', form(params as Record<string, string>, { headers: { Origin: 'https://spa.example' } }));
    expect(response.status).toBe(201);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });
});
