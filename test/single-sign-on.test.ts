import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { userStore } from '../src/durable-objects/user-store';
import { DEMO_CLAIMED_REDIRECT, DEMO_EMAIL, DEMO_PASSWORD } from './helpers/fixtures';
import { call, cookieAttributes, cookieFrom, form, SESSION_COOKIE, setCookieFor } from './helpers/http';
import { flipAt } from './helpers/values';
import { authorizeWith, redeem, redeemForTokens, sessionIdOf, signIn } from './helpers/flow';
import { expectCodeRedirect, expectErrorRedirect, expectLoginRedirect, verifiedIdToken } from './helpers/assertions';
import { changeSession, readSession, SESSION_TTL_SECONDS } from './helpers/storage';

/** Errors of requests from demo-app's claimed redirect (the one `authorizeWith` uses). */
const expectSsoError = (response: Response, error: string) => expectErrorRedirect(response, error, { redirectUri: DEMO_CLAIMED_REDIRECT });

describe('single sign-on session (OIDC Core section 3.1.2.3)', () => {
  it('a successful login sets the __Host- session cookie: Secure, HttpOnly, SameSite=Lax, Path=/, a week long', async () => {
    const { loginResponse, cookie, sessionId } = await signIn();
    const header = setCookieFor(loginResponse, SESSION_COOKIE)!;
    const attributes = cookieAttributes(header);
    expect(attributes.get('secure')).toBe(true);
    expect(attributes.get('httponly')).toBe(true);
    expect(attributes.get('samesite')).toBe('Lax');
    expect(attributes.get('path')).toBe('/');
    expect(attributes.get('max-age')).toBe(String(SESSION_TTL_SECONDS));
    expect(attributes.has('domain')).toBe(false);
    // `<user id>.<session id>.<secret>`: the user's object, a 128-bit id, a 256-bit secret.
    expect(cookie.slice(`${SESSION_COOKIE}=`.length)).toMatch(/^user_demo\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);

    // The user's object keeps the sign-in time and only a hash of the handle.
    const stored = await readSession(sessionId);
    expect(stored).toBeDefined();
    expect(Math.abs(stored!.authTime - Date.now() / 1000)).toBeLessThan(60);
    expect(stored!.expiresAt - Date.now()).toBeGreaterThan((SESSION_TTL_SECONDS - 60) * 1000);
    expect(stored!.expiresAt - Date.now()).toBeLessThanOrEqual(SESSION_TTL_SECONDS * 1000);
    expect(JSON.stringify(stored)).not.toContain(cookie.split('.')[2]!);
  });

  it('a later /authorize from the same browser skips the login page and issues a new grant that redeems', async () => {
    const first = await signIn();
    const firstTokens = await redeemForTokens(first.issued);
    const firstAuthTime = (await verifiedIdToken(firstTokens.id_token!)).auth_time;
    expect(typeof firstAuthTime).toBe('number');

    const { response, verifier } = await authorizeWith(first.cookie, { state: 'second-state', nonce: 'second-nonce' });
    const second = expectCodeRedirect(response, verifier, 'second-state');
    // No page, no new cookie of any kind on the way back.
    expect(response.headers.get('Content-Type')).toBeNull();
    expect(setCookieFor(response, SESSION_COOKIE)).toBeUndefined();
    // A different grant: the code's prefix names another grant object.
    expect(second.code.split('.')[1]).not.toBe(first.issued.code.split('.')[1]);

    const tokens = await redeemForTokens(second);
    const idToken = await verifiedIdToken(tokens.id_token!);
    expect(idToken).toMatchObject({ sub: 'user_demo', azp: 'demo-app', nonce: 'second-nonce', auth_time: firstAuthTime });
    const access = decodeJwt(tokens.access_token);
    expect(access.jti).toMatch(new RegExp(`^${second.code.split('.')[1]}\\.`));
    // The second code works once, like any other.
    expect((await redeem(second)).status).toBe(400);
  });

  it('takes auth_time from the session, not the clock', async () => {
    const { cookie, sessionId } = await signIn();
    const aged = await changeSession(sessionId, (s) => ({ ...s, authTime: s.authTime - 1800 }));
    const { response, verifier } = await authorizeWith(cookie);
    const tokens = await redeemForTokens(expectCodeRedirect(response, verifier));
    expect((await verifiedIdToken(tokens.id_token!)).auth_time).toBe(aged.authTime);
    expect(decodeJwt(tokens.access_token).auth_time).toBe(aged.authTime);
  });

  it('a session is not shared between browsers: no cookie, no single sign-on', async () => {
    await signIn();
    expectLoginRedirect((await authorizeWith(undefined)).response);
  });
});

describe('single sign-on: prompt and max_age (OIDC Core section 3.1.2.1)', () => {
  it('prompt=login with a live session asks for the password again, and a new sign-in starts a new session', async () => {
    const { cookie, sessionId } = await signIn();
    const { response } = await authorizeWith(cookie, { prompt: 'login' });
    expectLoginRedirect(response);

    // The login page for that request, signed in afresh.
    const loginCookie = cookieFrom(response);
    const page = await call('/login', { headers: { Cookie: `${loginCookie}; ${cookie}` } });
    expect(page.status).toBe(200);
    const requestId = /name="request_id" value="([^"]+)"/.exec(await page.text())![1]!;
    const again = await call(
      '/login',
      form({ request_id: requestId, email: DEMO_EMAIL, password: DEMO_PASSWORD }, { headers: { Cookie: `${loginCookie}; ${cookie}` } }),
    );
    expect(again.status).toBe(303);
    expect(new URL(again.headers.get('Location')!).searchParams.get('code')).toBeTruthy();
    const newCookie = cookieFrom(again, SESSION_COOKIE);
    expect(sessionIdOf(newCookie)).not.toBe(sessionId);
  });

  it('prompt=login together with consent still forces the login page', async () => {
    const { cookie } = await signIn();
    expectLoginRedirect((await authorizeWith(cookie, { prompt: 'login consent' })).response);
  });

  it('prompt=none with a live session gets a code without any page', async () => {
    const { cookie } = await signIn();
    const { response, verifier } = await authorizeWith(cookie, { prompt: 'none' });
    const issued = expectCodeRedirect(response, verifier);
    expect((await redeem(issued)).status).toBe(200);
  });

  it('prompt=none without a session redirects login_required with state and iss', async () => {
    const { response } = await authorizeWith(undefined, { prompt: 'none' });
    expectSsoError(response, 'login_required');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('prompt=none with a session too old for max_age redirects login_required', async () => {
    const { cookie, sessionId } = await signIn();
    await changeSession(sessionId, (s) => ({ ...s, authTime: s.authTime - 600 }));
    expectSsoError((await authorizeWith(cookie, { prompt: 'none', max_age: '300' })).response, 'login_required');
  });

  it.each([
    ['none combined with login', 'none login'],
    ['none combined with consent', 'consent none'],
    ['an unknown value', 'bogus'],
    ['an unknown value beside a known one', 'login bogus'],
    ['a wrong-case value', 'NONE'],
  ])('prompt with %s is invalid_request, even with a live session', async (_name, prompt) => {
    const { cookie } = await signIn();
    expectSsoError((await authorizeWith(cookie, { prompt })).response, 'invalid_request');
    expectSsoError((await authorizeWith(undefined, { prompt })).response, 'invalid_request');
  });

  it('max_age: a sign-in older than max_age goes to the login page', async () => {
    const { cookie, sessionId } = await signIn();
    await changeSession(sessionId, (s) => ({ ...s, authTime: s.authTime - 3600 }));
    expectLoginRedirect((await authorizeWith(cookie, { max_age: '600' })).response);
    expectLoginRedirect((await authorizeWith(cookie, { max_age: '0' })).response);
    // Without max_age the same session still signs in silently.
    const { response, verifier } = await authorizeWith(cookie);
    expectCodeRedirect(response, verifier);
  });

  it('max_age: a sign-in within max_age gets a code carrying the original auth_time', async () => {
    const { cookie, sessionId } = await signIn();
    const aged = await changeSession(sessionId, (s) => ({ ...s, authTime: s.authTime - 300 }));
    const { response, verifier } = await authorizeWith(cookie, { max_age: '3600' });
    const tokens = await redeemForTokens(expectCodeRedirect(response, verifier));
    // OIDC Core 2: auth_time is required in the ID token when max_age was sent.
    expect((await verifiedIdToken(tokens.id_token!)).auth_time).toBe(aged.authTime);
  });

  it.each(['-1', 'abc', '1.5', '1e3', ' 60', '0x10'])('max_age=%j is invalid_request', async (maxAge) => {
    const { cookie } = await signIn();
    expectSsoError((await authorizeWith(cookie, { max_age: maxAge })).response, 'invalid_request');
    expectSsoError((await authorizeWith(undefined, { max_age: maxAge })).response, 'invalid_request');
  });
});

describe('single sign-on: what is not a session', () => {
  it.each([
    ['a secret with one character changed', (v: string) => flipAt(v, 40)],
    ['a session id with one character changed', (v: string) => flipAt(v, 5)],
    ['a missing secret', (v: string) => v.split('.').slice(0, 2).join('.')],
    ['an extra segment', (v: string) => `${v}.x`],
    ['an empty value', () => ''],
    ['garbage', () => 'not-a-session'],
  ])('a tampered cookie (%s) is no session', async (_name, tamper) => {
    const { cookie } = await signIn();
    const value = cookie.slice(`${SESSION_COOKIE}=`.length);
    const forged = `${SESSION_COOKIE}=${tamper(value)}`;
    expectLoginRedirect((await authorizeWith(forged)).response);
    expectSsoError((await authorizeWith(forged, { prompt: 'none' })).response, 'login_required');
    // The real cookie still works: tampering does not end the session.
    const { response, verifier } = await authorizeWith(cookie);
    expectCodeRedirect(response, verifier);
  });

  it('the session cookie without its __Host- prefix is no session', async () => {
    const { cookie } = await signIn();
    expectLoginRedirect((await authorizeWith(cookie.replace('__Host-', ''))).response);
  });

  it('an ended session is no session', async () => {
    const { cookie, sessionId } = await signIn();
    const [userId, id] = sessionId.split('.');
    await userStore(env, userId!).endSession(id!);
    expect(await readSession(sessionId)).toBeUndefined();
    expectLoginRedirect((await authorizeWith(cookie)).response);
    expectSsoError((await authorizeWith(cookie, { prompt: 'none' })).response, 'login_required');
  });

  it('an expired session is no session, even before its alarm removes it', async () => {
    const { cookie, sessionId } = await signIn();
    await changeSession(sessionId, (s) => ({ ...s, expiresAt: Date.now() - 1 }));
    expectLoginRedirect((await authorizeWith(cookie)).response);
    expectSsoError((await authorizeWith(cookie, { prompt: 'none' })).response, 'login_required');
  });
});

// ---------------------------------------------------------------------------------------------
// UserInfo (OIDC Core section 5.3, RFC 6750)
// ---------------------------------------------------------------------------------------------
