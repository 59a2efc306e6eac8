/**
 * RFC 9700 section 4.11 (open redirection) and RFC 6749 section 4.1.2.1: an error is redirected only
 * to a redirect URI registered for the client that asked; until both are trusted it is a page. No
 * other endpoint redirects anywhere an attacker names, and logout returns only to a registered
 * post_logout_redirect_uri.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_BASIC } from '../helpers/fixtures';
import { call, form } from '../helpers/http';
import { authorizePath, defaultAuthorization, reachConsent, startLogin, submitLogin } from '../helpers/flow';
import { expectErrorPage, expectOAuthError } from '../helpers/assertions';
import { insertClient, insertUsers } from '../helpers/storage';

const SIGNED_OUT = 'com.example.demo:/signed-out';
const EVIL = ['https://evil.example/cb', '//evil.example', 'com.example.other:/callback', 'com.example.demo:/callback/', 'http://localhost:1/callback'];

/** Requests that have an error beyond the redirect URI: each would be redirected if the URI were trusted. */
const OTHER_ERRORS: Record<string, Record<string, string | undefined>> = {
  'none besides': {},
  'response_type=token': { response_type: 'token' },
  'no PKCE': { code_challenge: undefined, code_challenge_method: undefined },
  'plain PKCE': { code_challenge_method: 'plain' },
  'a scope it may not have': { scope: 'admin' },
  'an unknown audience': { audience: 'https://evil.example' },
  'prompt=none without a session': { prompt: 'none' },
  'response_mode=form_post': { response_mode: 'form_post' },
  'an oversized state': { state: 's'.repeat(5000) },
};

function logout(method: 'GET' | 'POST', params: Record<string, string>): Promise<Response> {
  if (method === 'GET') return call(`/logout?${new URLSearchParams(params)}`);
  return call('/logout', form(params));
}

beforeAll(async () => {
  // Another app with a post-logout URI of its own, to try it across clients.
  await insertClient({ id: 'logout-app', redirectUris: ['com.example.logout:/cb'], postLogoutRedirectUris: ['com.example.logout:/bye'] });
});

describe('the authorization endpoint redirects errors only to a trusted URI (RFC 6749 section 4.1.2.1)', () => {
  for (const [name, overrides] of Object.entries(OTHER_ERRORS)) {
    it.each(EVIL)(`an unregistered redirect_uri with ${name}: %j is a page`, async (redirectUri) => {
      const { params } = await defaultAuthorization({ ...overrides, redirect_uri: redirectUri });
      const html = await expectErrorPage(await call(authorizePath(params)));
      expect(html).not.toContain('evil.example');
    });

    it(`an unknown client with a registered-looking URI and ${name} is a page`, async () => {
      const { params } = await defaultAuthorization({ ...overrides, client_id: 'evil-app' });
      await expectErrorPage(await call(authorizePath(params)));
    });
  }

  it.each([
    ['client_id repeated with another client', '&client_id=other-app'],
    ['client_id repeated with itself', '&client_id=demo-app'],
    ['redirect_uri repeated with an evil one', '&redirect_uri=https%3A%2F%2Fevil.example'],
    ['redirect_uri repeated with itself', '&redirect_uri=com.example.demo%3A%2Fcallback'],
  ])('%s is a page, even with another error', async (_name, extra) => {
    const { params } = await defaultAuthorization({ response_type: 'token' });
    await expectErrorPage(await call(`${authorizePath(params)}${extra}`));
  });

  it.each([
    ['an oversized client_id', { client_id: 'd'.repeat(3000) }],
    ['an oversized redirect_uri', { redirect_uri: `com.example.demo:/callback?${'x'.repeat(3000)}` }],
    ['an empty client_id', { client_id: '' }],
    ['an empty redirect_uri', { redirect_uri: '' }],
    ['no redirect_uri, for a client with one registered URI', { client_id: 'other-app', redirect_uri: undefined }],
    ['a confidential client’s id with no redirect URIs at all', { client_id: 'demo-api', redirect_uri: 'https://evil.example/cb' }],
  ])('%s is a page', async (_name, overrides) => {
    const { params } = await defaultAuthorization({ ...overrides, response_type: 'token' });
    await expectErrorPage(await call(authorizePath(params)));
  });
});

describe('no other endpoint redirects where an attacker says', () => {
  it('the login endpoint never redirects on an error', async () => {
    const pending = await startLogin({ redirect_uri: 'com.example.demo:/callback' });
    const attempts = [
      await call('/login'),
      await call('/login?redirect_uri=https://evil.example&next=https://evil.example&return_to=https://evil.example'),
      await submitLogin({ ...pending, cookie: '' }),
      await submitLogin(pending, { request_id: 'x' }),
      await submitLogin(pending, {}, { Origin: 'https://evil.example' }),
      await call('/login', { method: 'POST', headers: { Cookie: pending.cookie, 'Content-Type': 'text/plain' }, body: 'redirect_uri=https://evil.example' }),
    ];
    for (const response of attempts) {
      expect(response.headers.get('Location')).toBeNull();
      expect(response.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('a successful login goes only to the URI sealed at /authorize, whatever the form adds', async () => {
    const pending = await startLogin();
    const response = await call(
      '/login',
      form(
        { request_id: pending.requestId, email: 'demo@example.com', password: 'demo-password', redirect_uri: 'https://evil.example/cb', next: 'https://evil.example' },
        { headers: { Cookie: pending.cookie } },
      ),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')!.startsWith('com.example.demo:/callback?')).toBe(true);
  });

  it.each(['allow', 'deny'])('the consent (%s) goes only to the URI sealed at /authorize, whatever the form adds', async (decision) => {
    const email = `redirect.consent.${decision}@example.com`;
    await insertUsers({ [email]: 'consent-password' });
    const consent = await reachConsent(email, 'consent-password', { redirect_uri: 'http://127.0.0.1:6000/callback' });
    const response = await call(
      '/consent',
      form(
        { request_id: consent.requestId, decision, redirect_uri: 'https://evil.example/cb', client_id: 'demo-app', next: 'https://evil.example' },
        { headers: { Cookie: consent.cookie } },
      ),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')!.startsWith('http://127.0.0.1:6000/callback?')).toBe(true);
  });

  it('a consent error never redirects', async () => {
    for (const response of [
      await call('/consent'),
      await call('/consent?redirect_uri=https://evil.example'),
      await call('/consent', form({ request_id: 'x', decision: 'allow', redirect_uri: 'https://evil.example' })),
    ]) {
      await expectErrorPage(response);
    }
  });

  it.each([
    ['/oauth/token', form({ grant_type: 'authorization_code', client_id: 'demo-app', code: 'x', redirect_uri: 'https://evil.example/cb' })],
    ['/oauth/token', form({ grant_type: 'refresh_token', client_id: 'evil', refresh_token: 'x', redirect_uri: 'https://evil.example' })],
    ['/oauth/revoke', form({ token: 'x', redirect_uri: 'https://evil.example' })],
    ['/oauth/introspect', form({ token: 'x', redirect_uri: 'https://evil.example' })],
    ['/oauth/introspect', form({ token: 'x' }, { headers: { Authorization: DEMO_API_BASIC.replace('=', '') } })],
  ])('%s answers errors as JSON, never by redirect', async (path, init) => {
    const response = await call(path, init);
    expect(response.headers.get('Location')).toBeNull();
    if (response.status >= 400) await expectOAuthError(response);
  });

  it.each([
    '//evil.example',
    '//evil.example/%2e%2e',
    '/\\evil.example',
    '/redirect?url=https://evil.example',
    '/authorize/..%2F..%2Fevil',
    '/authorize/',
    '/login/',
    '/logout/https://evil.example',
    '/.well-known/../login',
    '/%2F%2Fevil.example',
  ])('the path %j does not redirect off-site', async (path) => {
    const response = await call(path);
    const location = response.headers.get('Location');
    if (location !== null) expect(location.startsWith('/') && !location.startsWith('//')).toBe(true);
    expect(location ?? '').not.toContain('evil');
    expect(response.status).toBeLessThan(500);
  });
});

describe('logout returns only to a registered post_logout_redirect_uri (OIDC RP-Initiated Logout section 3)', () => {
  const variants = [
    `${SIGNED_OUT}?next=https://evil.example`,
    `${SIGNED_OUT}#https://evil.example`,
    `${SIGNED_OUT}/../evil`,
    `${SIGNED_OUT}%00`,
    `${SIGNED_OUT}%2F`,
    `${SIGNED_OUT}\u0000`,
    `${SIGNED_OUT}\n`,
    `${SIGNED_OUT}@evil.example`,
    'com.example.demo:/signed-ou%74',
    'com.example.demo:/Signed-out',
    'com.example.demo:/signed-out'.toUpperCase(),
    'com.example.logout:/bye',
    'com.example.demo:/callback',
    'https://evil.example/signed-out',
    '//evil.example',
    '/\\evil.example',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    ' com.example.demo:/signed-out',
  ];

  it.each(variants.flatMap((uri) => [['GET', uri], ['POST', uri]] as const))('%s %j with client_id=demo-app is a page', async (method, uri) => {
    const html = await expectErrorPage(await logout(method, { client_id: 'demo-app', post_logout_redirect_uri: uri, state: 's' }));
    expect(html).not.toContain('evil.example');
  });

  it('another client’s registered post-logout URI is refused for demo-app and the other way round', async () => {
    await expectErrorPage(await logout('GET', { client_id: 'demo-app', post_logout_redirect_uri: 'com.example.logout:/bye' }));
    await expectErrorPage(await logout('GET', { client_id: 'logout-app', post_logout_redirect_uri: SIGNED_OUT }));
  });

  it('an unknown client, or none at all, gets no redirect even to a registered-looking URI', async () => {
    await expectErrorPage(await logout('GET', { client_id: 'evil-app', post_logout_redirect_uri: SIGNED_OUT }));
    await expectErrorPage(await logout('GET', { post_logout_redirect_uri: SIGNED_OUT }));
    await expectErrorPage(await logout('GET', { post_logout_redirect_uri: 'https://evil.example' }));
  });

  it('a repeated post_logout_redirect_uri or client_id is a page', async () => {
    const uri = encodeURIComponent(SIGNED_OUT);
    await expectErrorPage(await call(`/logout?client_id=demo-app&post_logout_redirect_uri=${uri}&post_logout_redirect_uri=https://evil.example`));
    await expectErrorPage(await call(`/logout?client_id=demo-app&client_id=logout-app&post_logout_redirect_uri=${uri}`));
  });

  it('the registered URI itself is honoured, with state, and nothing else is appended', async () => {
    const response = await logout('GET', { client_id: 'logout-app', post_logout_redirect_uri: 'com.example.logout:/bye', state: 'a&b=c' });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`com.example.logout:/bye?state=${encodeURIComponent('a&b=c').replace(/%20/g, '+')}`);
  });
});
