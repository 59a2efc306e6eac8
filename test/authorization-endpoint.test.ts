import { describe, expect, it } from 'vitest';
import { DEMO_REDIRECT } from './helpers/fixtures';
import { call, cookieFrom, LOGIN_COOKIE } from './helpers/http';
import { authorizePath, defaultAuthorization } from './helpers/flow';
import { expectErrorPage, expectErrorRedirect } from './helpers/assertions';

describe('authorization endpoint: a valid request (RFC 6749 section 4.1.1)', () => {
  it('keeps the request in a sealed, browser-bound cookie and sends the user to the login page', async () => {
    const { params } = await defaultAuthorization();
    const response = await call(authorizePath(params));
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toBe('/login');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${LOGIN_COOKIE}=`))!;
    expect(setCookie).toMatch(/; Path=\/(;|$)/);
    expect(setCookie).toMatch(/; HttpOnly(;|$)/);
    expect(setCookie).toMatch(/; Secure(;|$)/);
    expect(setCookie).toMatch(/; SameSite=Lax(;|$)/);
    expect(setCookie).toMatch(/; Max-Age=600(;|$)/);
    // Sealed: none of the request is readable in the cookie.
    expect(cookieFrom(response)).not.toContain('demo-app');
    expect(cookieFrom(response)).not.toContain(params.code_challenge);
  });

  it('accepts a loopback redirect URI on any port (RFC 8252 section 7.3)', async () => {
    const { params } = await defaultAuthorization({ redirect_uri: 'http://127.0.0.1:51234/callback' });
    const response = await call(authorizePath(params));
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toBe('/login');
  });

  it('ignores unknown parameters', async () => {
    const { params } = await defaultAuthorization({ unknown_extension: 'x' });
    expect((await call(authorizePath(params))).status).toBe(302);
  });

  it('uses the client’s only API when no audience is sent', async () => {
    const { params } = await defaultAuthorization({ audience: undefined });
    expect((await call(authorizePath(params))).headers.get('Location')).toBe('/login');
  });
});

describe('authorization endpoint: never redirects to an untrusted URI (RFC 6749 section 4.1.2.1, RFC 9700 section 4.1)', () => {
  it.each([
    ['an unknown client', { client_id: 'no-such-app' }],
    ['a missing client_id', { client_id: undefined }],
    ['an empty client_id', { client_id: '' }],
    ['a missing redirect_uri', { redirect_uri: undefined }],
  ])('shows an error page for %s', async (_name, overrides) => {
    const { params } = await defaultAuthorization(overrides);
    await expectErrorPage(await call(authorizePath(params)));
  });

  it('shows an error page when client_id or redirect_uri is repeated', async () => {
    const { params } = await defaultAuthorization();
    const base = authorizePath(params);
    await expectErrorPage(await call(`${base}&client_id=other-app`));
    await expectErrorPage(await call(`${base}&redirect_uri=${encodeURIComponent('com.example.other:/callback')}`));
  });

  const unregistered = [
    'com.example.demo:/callback/',
    'com.example.demo:/callbackx',
    'com.example.demo:/callback?x=1',
    'com.example.demo:/callback#frag',
    'com.example.demo:/Callback',
    'COM.EXAMPLE.DEMO:/callback',
    'com.example.demo:/callback/../callback',
    'com.example.demo:/%63allback',
    'com.example.demo:/callback%00',
    'com.example.demo://callback',
    'com.example.demox:/callback',
    'xcom.example.demo:/callback',
    'com.example.other:/callback',
    'https://evil.example/callback',
    'https://com.example.demo/callback',
    'http://127.0.0.1/callback/../evil',
    'http://127.0.0.1:80@evil.example/callback',
    'http://user@127.0.0.1/callback',
    'http://127.0.0.1.evil.example/callback',
    'http://localhost/callback',
    'http://localhost:51234/callback',
    'https://127.0.0.1/callback',
    'http://127.0.0.1:0/callback',
    'http://127.0.0.1:99999/callback',
    'http://127.0.0.1:08080/callback',
    'http://127.0.0.2/callback',
    'http://[::2]/callback',
    'http://127.0.0.1/callback?next=https://evil.example',
    'http://127.0.0.1/callback#',
    'http://127.0.0.1/Callback',
    'http://xn--80ak6aa92e.example/callback',
    'http://аpple.example/callback',
    ' com.example.demo:/callback',
    'com.example.demo:/callback ',
    'javascript:alert(1)',
    'data:text/html,hi',
  ];
  it.each(unregistered)('shows an error page for the unregistered redirect URI %j', async (redirectUri) => {
    const { params } = await defaultAuthorization({ redirect_uri: redirectUri });
    const html = await expectErrorPage(await call(authorizePath(params)));
    expect(html).not.toContain('evil.example');
  });

  it('does not redirect another client’s URI even when it is registered there', async () => {
    const { params } = await defaultAuthorization({ client_id: 'other-app', redirect_uri: DEMO_REDIRECT });
    await expectErrorPage(await call(authorizePath(params)));
  });
});

describe('authorization endpoint: errors redirected to a trusted URI (RFC 6749 section 4.1.2.1)', () => {
  it.each([
    ['unsupported_response_type', { response_type: 'token' }],
    ['invalid_request', { response_type: undefined }],
    ['invalid_request', { code_challenge: undefined, code_challenge_method: undefined }],
    ['invalid_request', { code_challenge_method: 'plain' }],
    ['invalid_request', { code_challenge_method: undefined }],
    ['invalid_request', { code_challenge: 'A'.repeat(42) }],
    ['invalid_request', { code_challenge: 'A'.repeat(44) }],
    ['invalid_request', { code_challenge: `${'A'.repeat(42)}=` }],
    ['invalid_scope', { scope: 'read:items delete:everything' }],
    ['invalid_scope', { scope: 'read:items "quoted"' }],
    ['invalid_request', { audience: 'https://unknown-api.example' }],
    ['invalid_request', { response_mode: 'fragment' }],
    ['login_required', { prompt: 'none' }],
  ])('redirects %s for %j', async (error, overrides) => {
    const { params } = await defaultAuthorization(overrides);
    const redirected = expectErrorRedirect(await call(authorizePath(params)), error);
    expect(redirected.get('state')).toBe('state-123');
  });

  it('refuses a scope the API offers but the client may not have', async () => {
    const { params } = await defaultAuthorization({
      client_id: 'other-app',
      redirect_uri: 'com.example.other:/callback',
      scope: 'write:items',
    });
    const redirected = expectErrorRedirect(await call(authorizePath(params)), 'invalid_scope', { redirectUri: 'com.example.other:/callback' });
    // Issue 18: a scope the API defines is named, so the developer knows which one to request or grant.
    expect(redirected.get('error_description')).toBe('The scope write:items is not available to this client.');
  });

  it('never names a scope the API does not define: the request’s own text is not reflected', async () => {
    const { params } = await defaultAuthorization({ scope: 'read:items delete:everything' });
    const redirected = expectErrorRedirect(await call(authorizePath(params)), 'invalid_scope');
    expect(redirected.get('error_description')).not.toContain('delete:everything');
  });

  it('rejects a repeated parameter (RFC 6749 section 3.1) and leaves out a repeated state', async () => {
    const { params } = await defaultAuthorization();
    const redirected = expectErrorRedirect(await call(`${authorizePath(params)}&scope=read:items`), 'invalid_request');
    expect(redirected.get('state')).toBe('state-123');
    const twoStates = expectErrorRedirect(await call(`${authorizePath(params)}&state=other`), 'invalid_request', { state: null });
    expect(twoStates.get('state')).toBeNull();
  });

  it('rejects an oversized parameter', async () => {
    const { params } = await defaultAuthorization({ nonce: 'n'.repeat(5000) });
    expectErrorRedirect(await call(authorizePath(params)), 'invalid_request');
  });

  it('keeps the registered redirect URI’s own query when adding the error', async () => {
    const { params } = await defaultAuthorization({ redirect_uri: 'http://127.0.0.1:4000/callback', response_type: 'token' });
    const response = await call(authorizePath(params));
    expect(response.headers.get('Location')).toMatch(/^http:\/\/127\.0\.0\.1:4000\/callback\?error=unsupported_response_type&/);
  });
});
