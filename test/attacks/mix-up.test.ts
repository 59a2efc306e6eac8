/**
 * RFC 9207 and RFC 9700 section 4.4 (mix-up): every authorization response, success or error,
 * carries `iss` equal to the configured issuer exactly once, the metadata says so, and nothing an
 * attacker sends (Host, X-Forwarded-Host, Forwarded, an `iss` parameter) changes the issuer.
 */
import { exports } from 'cloudflare:workers';
import { freshIp } from '../helpers/values';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLAIMED_REDIRECT, DEMO_REDIRECT, ISSUER, PARTNER, PARTNER_CLAIMED_REDIRECT } from '../helpers/fixtures';
import { call, cookieFrom, form, LOGIN_COOKIE, SESSION_COOKIE } from '../helpers/http';
import { type AuthorizationParams, authorizePath, defaultAuthorization, introspect, reachConsent, redeem, startLogin, submitConsent, submitLogin } from '../helpers/flow';
import { expectErrorRedirect } from '../helpers/assertions';
import { insertClient, insertUsers } from '../helpers/storage';

const USER = { email: 'mixup@example.com', password: 'mixup-password' };

/** Headers a proxy (or an attacker talking to the worker directly) might use to suggest another host. */
const SPOOFED_HOST_HEADERS: Record<string, string> = {
  Host: 'evil.example',
  'X-Forwarded-Host': 'evil.example',
  'X-Forwarded-Proto': 'http',
  'X-Forwarded-Port': '8443',
  'X-Forwarded-Server': 'evil.example',
  'X-Original-Host': 'evil.example',
  'X-Host': 'evil.example',
  Forwarded: 'for=192.0.2.60;host=evil.example;proto=http',
  'X-Original-URL': 'https://evil.example/authorize',
  'X-Rewrite-URL': 'https://evil.example/authorize',
};

/** A request whose URL names another host, with every spoofing header: the worker must not care. */
function spoofed(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...SPOOFED_HOST_HEADERS, ...(init.headers as Record<string, string> | undefined) };
  return exports.default.fetch(new Request(new URL(path, 'https://evil.example'), { redirect: 'manual', ...init, headers }));
}

/** The app's view of an authorization response: exactly one iss, the configured one. */
function issOf(location: string): string[] {
  return new URL(location).searchParams.getAll('iss');
}

async function signIn(overrides: AuthorizationParams = {}, headers: Record<string, string> = {}) {
  const pending = await startLogin(overrides);
  const response = await submitLogin(pending, USER, { 'CF-Connecting-IP': freshIp(), ...headers });
  expect(response.status).toBe(303);
  return { pending, response };
}

beforeAll(async () => {
  await insertUsers({ [USER.email]: USER.password });
  // A client that may not use the authorization code grant: its /authorize errors are unauthorized_client.
  await insertClient({ id: 'mixup-no-code', redirectUris: ['com.example.nocode:/cb'], grantTypes: ['refresh_token'] });
});

describe('iss in every authorization response (RFC 9207 section 2)', () => {
  it('on success after the login form', async () => {
    const { response } = await signIn();
    expect(issOf(response.headers.get('Location')!)).toEqual([ISSUER]);
  });

  it('on success through single sign-on', async () => {
    const { response } = await signIn();
    const session = cookieFrom(response, SESSION_COOKIE);
    const { params } = await defaultAuthorization({ prompt: 'none', redirect_uri: DEMO_CLAIMED_REDIRECT });
    const sso = await call(authorizePath(params), { headers: { Cookie: session } });
    expect(sso.status).toBe(302);
    const location = sso.headers.get('Location')!;
    expect(new URL(location).searchParams.get('code')).toBeTruthy();
    expect(issOf(location)).toEqual([ISSUER]);
  });

  it('on success to a loopback redirect URI with a port', async () => {
    const { response } = await signIn({ redirect_uri: 'http://127.0.0.1:4321/callback' });
    expect(issOf(response.headers.get('Location')!)).toEqual([ISSUER]);
  });

  it.each([
    ['unsupported_response_type', { response_type: 'token' }],
    ['unsupported_response_type', { response_type: 'code id_token' }],
    ['invalid_request', { response_type: undefined }],
    ['invalid_request', { code_challenge: undefined }],
    ['invalid_request', { code_challenge_method: 'plain' }],
    ['invalid_request', { response_mode: 'form_post' }],
    ['invalid_request', { audience: 'https://evil.example' }],
    ['invalid_request', { prompt: 'bogus' }],
    ['invalid_request', { max_age: '-1' }],
    ['invalid_request', { nonce: 'n'.repeat(3000) }],
    ['invalid_scope', { scope: 'admin' }],
    ['login_required', { prompt: 'none' }],
  ])('on the error %s for %j', async (error, overrides) => {
    const { params } = await defaultAuthorization(overrides);
    const response = await call(authorizePath(params));
    expectErrorRedirect(response, error);
    expect(issOf(response.headers.get('Location')!)).toEqual([ISSUER]);
  });

  it('on the error unauthorized_client', async () => {
    const { params } = await defaultAuthorization({ client_id: 'mixup-no-code', redirect_uri: 'com.example.nocode:/cb' });
    const response = await call(authorizePath(params));
    expectErrorRedirect(response, 'unauthorized_client', { redirectUri: 'com.example.nocode:/cb' });
  });

  it('on success and on access_denied after the consent page, and on consent_required', async () => {
    await insertUsers({ 'mixup.consent.1@example.com': USER.password, 'mixup.consent.2@example.com': USER.password });
    const allowed = await submitConsent(await reachConsent('mixup.consent.1@example.com', USER.password), 'allow');
    expect(new URL(allowed.headers.get('Location')!).searchParams.get('code')).toBeTruthy();
    expect(issOf(allowed.headers.get('Location')!)).toEqual([ISSUER]);
    const consent = await reachConsent('mixup.consent.2@example.com', USER.password);
    const denied = await submitConsent(consent, 'deny');
    // The consent form's answer also clears the pending request's cookie.
    expectErrorRedirect(denied, 'access_denied', { redirectUri: PARTNER.redirect_uri, status: 303, setCookies: [LOGIN_COOKIE] });
    expect(issOf(denied.headers.get('Location')!)).toEqual([ISSUER]);
    const { params } = await defaultAuthorization({ ...PARTNER, redirect_uri: PARTNER_CLAIMED_REDIRECT, prompt: 'none' });
    const required = await call(authorizePath(params), { headers: { Cookie: consent.session } });
    expectErrorRedirect(required, 'consent_required', { redirectUri: PARTNER_CLAIMED_REDIRECT });
  });

  it('on the error for a repeated parameter', async () => {
    const { params } = await defaultAuthorization();
    const response = await call(`${authorizePath(params)}&scope=openid`);
    expectErrorRedirect(response, 'invalid_request');
  });

  it('an iss the attacker adds to the request is never echoed, on success or error', async () => {
    const injected = { iss: 'https://evil.example', issuer: 'https://evil.example' };
    const { response } = await signIn(injected);
    expect(issOf(response.headers.get('Location')!)).toEqual([ISSUER]);
    const { params } = await defaultAuthorization({ ...injected, response_type: 'token' });
    const error = await call(authorizePath(params));
    expect(issOf(error.headers.get('Location')!)).toEqual([ISSUER]);
  });

  it('a state that looks like more parameters cannot add a second iss', async () => {
    const state = `x&iss=${encodeURIComponent('https://evil.example')}`;
    const { response } = await signIn({ state });
    const location = new URL(response.headers.get('Location')!);
    expect(location.searchParams.getAll('iss')).toEqual([ISSUER]);
    expect(location.searchParams.get('state')).toBe(state);
  });
});

describe('metadata (RFC 8414 section 2, RFC 9207 section 3)', () => {
  it.each(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'])('%s names our issuer and its iss support', async (path) => {
    for (const response of [await call(path), await spoofed(path)]) {
      const metadata = (await response.json()) as Record<string, unknown>;
      expect(metadata.issuer).toBe(ISSUER);
      expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
      for (const [name, value] of Object.entries(metadata)) {
        if (name.endsWith('_endpoint') || name === 'jwks_uri') expect(String(value).startsWith(`${ISSUER}/`), name).toBe(true);
      }
      expect(JSON.stringify(metadata)).not.toContain('evil');
    }
  });
});

describe('the issuer never comes from the request (RFC 9207 section 2.4)', () => {
  it('an authorization error reached through another host still names our issuer', async () => {
    const { params } = await defaultAuthorization({ response_type: 'token' });
    const response = await spoofed(authorizePath(params));
    expectErrorRedirect(response, 'unsupported_response_type');
  });

  it('the redirect to the login page stays relative to us, never to the spoofed host', async () => {
    const { params } = await defaultAuthorization();
    const response = await spoofed(authorizePath(params));
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toBe('/login');
  });

  it('a whole sign-in and token exchange through spoofed headers yields tokens and iss of our issuer', async () => {
    const { params, verifier } = await defaultAuthorization({ scope: 'openid read:items offline_access' });
    const authorized = await spoofed(authorizePath(params));
    const cookie = cookieFrom(authorized);
    const page = await spoofed('/login', { headers: { Cookie: cookie } });
    const requestId = /name="request_id" value="([^"]+)"/.exec(await page.text())![1]!;
    const login = await spoofed(
      '/login',
      form({ request_id: requestId, ...USER }, { headers: { Cookie: cookie, 'CF-Connecting-IP': freshIp() } }),
    );
    expect(login.status).toBe(303);
    const location = login.headers.get('Location')!;
    expect(issOf(location)).toEqual([ISSUER]);

    const issued = { code: new URL(location).searchParams.get('code')!, verifier, redirectUri: DEMO_REDIRECT, location: new URL(location) };
    const tokenResponse = await spoofed(
      '/oauth/token',
      form({ grant_type: 'authorization_code', client_id: 'demo-app', code: issued.code, redirect_uri: DEMO_REDIRECT, code_verifier: verifier }),
    );
    expect(tokenResponse.status).toBe(200);
    const tokens = (await tokenResponse.json()) as { access_token: string; id_token: string; refresh_token: string };
    expect(decodeJwt(tokens.access_token).iss).toBe(ISSUER);
    expect(decodeJwt(tokens.id_token).iss).toBe(ISSUER);
    expect(((await (await introspect(tokens.access_token)).json()) as { iss: string }).iss).toBe(ISSUER);
    // The tokens verify at our own endpoints as usual.
    expect((await call('/userinfo', { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
  });

  it('the login form’s Origin check compares with our issuer, not with the spoofed host', async () => {
    const pending = await startLogin();
    const response = await spoofed(
      '/login',
      form({ request_id: pending.requestId, ...USER }, { headers: { Cookie: pending.cookie, Origin: 'https://evil.example' } }),
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('iss, the ID token and the metadata carry the issuer string exactly: no trailing slash, no default port', async () => {
    const { response, pending } = await signIn();
    const location = new URL(response.headers.get('Location')!);
    const redeemed = await redeem({ code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: DEMO_REDIRECT, location });
    const { id_token } = (await redeemed.json()) as { id_token: string };
    const metadata = (await (await call('/.well-known/openid-configuration')).json()) as { issuer: string };
    for (const issuer of [location.searchParams.get('iss'), decodeJwt(id_token).iss, metadata.issuer]) {
      expect(issuer).toBe(ISSUER);
      expect(issuer).not.toMatch(/\/$|:443/);
    }
  });
});
