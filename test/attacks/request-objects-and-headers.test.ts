/**
 * Issue 12, finding 8 (a to c): request objects were silently ignored, so a request whose real
 * parameters sat in `request` or behind `request_uri` was served without them (OIDC Core 6.1,
 * 6.2; a request_uri from POST /par is supported since, test/pushed-authorization.test.ts); pages' CSP let forms post anywhere (no `form-action`); JSON answers could be sniffed (no
 * `X-Content-Type-Options`).
 */
import { describe, expect, it } from 'vitest';
import { DEMO_REDIRECT, PARTNER, SIGNED_OUT_URI } from '../helpers/fixtures';
import { call, cookieFrom, form, SESSION_COOKIE } from '../helpers/http';
import { freshIp, unique } from '../helpers/values';
import { authorizePath, defaultAuthorization, reachConsent, startLogin, submitLogin } from '../helpers/flow';
import { expectErrorRedirect } from '../helpers/assertions';
import { insertUsers } from '../helpers/storage';
import { createClient, management, ok } from '../helpers/management';

const USER = { email: 'form-action@example.com', password: 'form-action-password' };
const REQUEST_OBJECT = 'eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9.';

const cspOf = (response: Response) => response.headers.get('Content-Security-Policy') ?? '';
const formActionOf = (response: Response) => /(?:^|;\s*)(form-action [^;]*)/.exec(cspOf(response))?.[1];

describe('request objects at /authorize (OIDC Core 6.1, 6.2)', () => {
  it.each([
    ['request', REQUEST_OBJECT, 'request_not_supported'],
    ['request_uri', 'https://app.example.org/request.jwt', 'request_uri_not_supported'],
  ])('answers %s with %s, redirected to the trusted redirect URI', async (name, value, error) => {
    const { params } = await defaultAuthorization({ [name]: value });
    expectErrorRedirect(await call(authorizePath(params)), error);
  });

  it('refuses them before anything that could be inside them, such as a missing audience', async () => {
    const api = await ok<{ identifier: string }>(await management('POST', '/apis', { identifier: `https://second-${unique()}.example.org`, name: 'Second', scopes: ['x:read'] }), 201);
    const redirectUri = 'com.example.multi:/callback';
    const client = await createClient({ redirect_uris: [redirectUri], scopes: ['openid'], audiences: ['https://api.example.com', api.identifier] });
    const base = { client_id: client.id, redirect_uri: redirectUri, scope: 'openid' };
    const without = await defaultAuthorization(base);
    expectErrorRedirect(await call(authorizePath(without.params)), 'invalid_request', { redirectUri });
    const { params } = await defaultAuthorization({ ...base, request: REQUEST_OBJECT });
    expectErrorRedirect(await call(authorizePath(params)), 'request_not_supported', { redirectUri });
  });

  it('takes a request_uri of the pushed-request form as one (RFC 9126): unknown, it is a page, never a redirect', async () => {
    const { params } = await defaultAuthorization({ request_uri: 'urn:ietf:params:oauth:request_uri:abc' });
    const response = await call(authorizePath(params));
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('still shows a page, never a redirect, while the redirect URI is untrusted', async () => {
    const { params } = await defaultAuthorization({ request: REQUEST_OBJECT, redirect_uri: 'https://evil.example/cb' });
    const response = await call(authorizePath(params));
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('discovery says request objects are not supported', async () => {
    const metadata = (await (await call('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ request_parameter_supported: false, request_uri_parameter_supported: false });
  });
});

describe('CSP form-action on every page', () => {
  it('the login page: our origin, and the pending request’s redirect target (a private-use scheme)', async () => {
    const pending = await startLogin();
    expect(formActionOf(await call('/login', { headers: { Cookie: pending.cookie } }))).toBe("form-action 'self' com.example.demo:");
    // A failed sign-in shows the form again, with the same targets.
    const failed = await submitLogin(pending, { email: USER.email, password: 'wrong' }, { 'CF-Connecting-IP': freshIp() });
    expect(failed.status).toBe(401);
    expect(formActionOf(failed)).toBe("form-action 'self' com.example.demo:");
  });

  it('a loopback redirect is named by its origin, port included', async () => {
    const pending = await startLogin({ redirect_uri: 'http://127.0.0.1:51004/callback' });
    expect(formActionOf(await call('/login', { headers: { Cookie: pending.cookie } }))).toBe("form-action 'self' http://127.0.0.1:51004");
  });

  it('the consent page: our origin and the app it answers to', async () => {
    await insertUsers({ [USER.email]: USER.password });
    const consent = await reachConsent(USER.email, USER.password, {}, freshIp());
    const page = await call('/consent', { headers: { Cookie: consent.cookie } });
    expect(page.status).toBe(200);
    expect(formActionOf(page)).toBe(`form-action 'self' ${new URL(PARTNER.redirect_uri).protocol}`);
  });

  it('the logout confirmation: our origin and the post-logout redirect target', async () => {
    await insertUsers({ [USER.email]: USER.password });
    const session = cookieFrom(await submitLogin(await startLogin(), USER, { 'CF-Connecting-IP': freshIp() }), SESSION_COOKIE);
    const query = new URLSearchParams({ client_id: 'demo-app', post_logout_redirect_uri: SIGNED_OUT_URI });
    const page = await call(`/logout?${query}`, { headers: { Cookie: session } });
    expect(page.status).toBe(200);
    expect(formActionOf(page)).toBe("form-action 'self' com.example.demo:");
  });

  it.each([
    ['the login page without a pending request', () => call('/login')],
    ['an error page', () => call('/authorize?client_id=nobody')],
    ['the signed-out page', () => call('/logout')],
  ])('%s: our origin only', async (_name, reach) => {
    expect(formActionOf(await reach())).toBe("form-action 'self'");
  });

  it('the redirect URI itself is never reflected raw into the header', async () => {
    const pending = await startLogin();
    expect(cspOf(await call('/login', { headers: { Cookie: pending.cookie } }))).not.toContain(DEMO_REDIRECT);
  });
});

describe('X-Content-Type-Options: nosniff on every response, not only pages', () => {
  it.each([
    ['discovery', () => call('/.well-known/openid-configuration')],
    ['the JWKS', () => call('/.well-known/jwks.json')],
    ['a token error', () => call('/oauth/token', form({ grant_type: 'password' }))],
    ['an introspection error', () => call('/oauth/introspect', form({ token: 'x' }))],
    ['a userinfo error', () => call('/userinfo')],
    ['a 404', () => call('/nope')],
    ['a Management API answer', () => management('GET', '/keys')],
    ['a Management API error', () => management('GET', '/keys', undefined, null)],
    ['the redirect from /authorize', async () => call(authorizePath((await defaultAuthorization()).params))],
    ['a CORS preflight', () => call('/oauth/token', { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' } })],
  ])('%s', async (_name, reach) => {
    expect((await reach()).headers.get('X-Content-Type-Options')).toBe('nosniff');
  });
});
