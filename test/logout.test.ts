import { env } from 'cloudflare:workers';
import { decodeJwt, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEMO_CLAIMED_REDIRECT, DEMO_REDIRECT, ISSUER, SIGNED_OUT_URI } from './helpers/fixtures';
import { call, cookieAttributes, form, type Method, METHODS, SESSION_COOKIE, setCookieFor } from './helpers/http';
import { flipAt } from './helpers/values';
import { type AuthorizationParams, authorizeWith, redeemForTokens, type SignedIn, signIn, startLogin, submitLogin } from './helpers/flow';
import { expectErrorPage, expectErrorRedirect, expectPageHeaders } from './helpers/assertions';
import { readSession } from './helpers/storage';

function logout(method: Method, params: Record<string, string>, cookie?: string): Promise<Response> {
  const headers: Record<string, string> = cookie === undefined ? {} : { Cookie: cookie };
  if (method === 'GET') return call(`/logout?${new URLSearchParams(params).toString()}`, { headers });
  return call('/logout', form(params, { headers }));
}

/** A browser signed in, and the ID token its app holds. */
async function signedInWithIdToken(overrides: AuthorizationParams = {}): Promise<SignedIn & { idToken: string }> {
  const signedIn = await signIn(overrides);
  const tokens = await redeemForTokens(signedIn.issued);
  expect(tokens.id_token).toBeDefined();
  return { ...signedIn, idToken: tokens.id_token! };
}

/** Whether this browser's cookie still skips the login page. */
async function sessionAlive(cookie: string): Promise<boolean> {
  const { response } = await authorizeWith(cookie);
  expect(response.status).toBe(302);
  return response.headers.get('Location') !== '/login';
}

function expectSessionCleared(response: Response): void {
  const header = setCookieFor(response, SESSION_COOKIE);
  expect(header, 'the session cookie is cleared').toBeDefined();
  const attributes = cookieAttributes(header!);
  expect(attributes.get('max-age')).toBe('0');
  expect(attributes.get('path')).toBe('/');
  expect(attributes.get('secure')).toBe(true);
  expect(header!.split(';')[0]).toBe(`${SESSION_COOKIE}=`);
}

function confirmationOf(html: string): string {
  const value = /<input type="hidden" name="confirmation" value="([^"]+)"/.exec(html)?.[1];
  expect(value, 'a hidden confirmation field').toBeDefined();
  return value!;
}

/** A user other than user_demo, with the same password, for hints of someone else. */
async function ensureOtherUser(): Promise<void> {
  const demo = await env.DB.prepare(`SELECT password_hash FROM users WHERE id = 'user_demo'`).first<{ password_hash: string }>();
  await env.DB.prepare(`INSERT OR IGNORE INTO users (id, email, name, email_verified, password_hash) VALUES ('user_other', 'other@example.com', 'Other User', 1, ?)`)
    .bind(demo!.password_hash)
    .run();
}

describe.each(METHODS)('%s /logout (OpenID Connect RP-Initiated Logout 1.0)', (method) => {
  it('with an ID token of the signed-in user, ends the session and returns to the registered URI with state', async () => {
    const { cookie, sessionId, idToken } = await signedInWithIdToken();
    expect(await sessionAlive(cookie)).toBe(true);
    const response = await logout(method, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT_URI, state: 'bye-1' }, cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`${SIGNED_OUT_URI}?state=bye-1`);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expectSessionCleared(response);
    // Ended in its object, not only in this browser: the old cookie no longer skips the login page.
    expect(await readSession(sessionId)).toBeUndefined();
    expect(await sessionAlive(cookie)).toBe(false);
    expectErrorRedirect((await authorizeWith(cookie, { prompt: 'none' })).response, 'login_required', { redirectUri: DEMO_CLAIMED_REDIRECT });
  });

  it('with a hint and a matching client_id, and without state, returns without state', async () => {
    const { cookie, idToken } = await signedInWithIdToken();
    const response = await logout(method, { id_token_hint: idToken, client_id: 'demo-app', post_logout_redirect_uri: SIGNED_OUT_URI }, cookie);
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('Location')!);
    expect(`${location.protocol}${location.pathname}`).toBe(SIGNED_OUT_URI);
    expect([...location.searchParams]).toEqual([]);
    expectSessionCleared(response);
    expect(await sessionAlive(cookie)).toBe(false);
  });

  // Regression: withQuery (src/oauth/redirect-uri.ts) used to append a bare '?', answering
  // 'com.example.demo:/signed-out?' instead of the URI exactly as registered.
  it('without state, returns to exactly the registered URI (no empty query)', async () => {
    const { cookie, idToken } = await signedInWithIdToken();
    const response = await logout(method, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT_URI }, cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(SIGNED_OUT_URI);
  });

  it('with a hint and no post_logout_redirect_uri, ends the session and shows the signed-out page', async () => {
    const { cookie, idToken } = await signedInWithIdToken();
    const response = await logout(method, { id_token_hint: idToken, state: 'ignored' }, cookie);
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    expect(await response.text()).toContain('You are signed out');
    expectSessionCleared(response);
    expect(await sessionAlive(cookie)).toBe(false);
  });

  it('without a hint, asks the user to confirm and leaves the session alive until then', async () => {
    const { cookie, sessionId } = await signIn();
    const response = await logout(method, { client_id: 'demo-app', post_logout_redirect_uri: SIGNED_OUT_URI, state: 'bye-2' }, cookie);
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    expect(response.headers.get('Location')).toBeNull();
    expect(setCookieFor(response, SESSION_COOKIE)).toBeUndefined();
    const html = await response.text();
    expect(html).toContain('<form method="post" action="/logout">');
    const confirmation = confirmationOf(html);
    // Sealed: the target is not readable in the page.
    expect(confirmation).not.toContain('signed-out');
    expect(await readSession(sessionId)).toBeDefined();
    expect(await sessionAlive(cookie)).toBe(true);

    // The user confirms: the form posts only the confirmation.
    const confirmed = await call('/logout', form({ confirmation }, { headers: { Cookie: cookie } }));
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('Location')).toBe(`${SIGNED_OUT_URI}?state=bye-2`);
    expectSessionCleared(confirmed);
    expect(await readSession(sessionId)).toBeUndefined();
    expect(await sessionAlive(cookie)).toBe(false);
  });

  it('without a hint or a target, the confirmed sign-out ends at the signed-out page', async () => {
    const { cookie } = await signIn();
    const response = await logout(method, {}, cookie);
    expect(response.status).toBe(200);
    const confirmation = confirmationOf(await response.text());
    expect(await sessionAlive(cookie)).toBe(true);
    const confirmed = await call('/logout', form({ confirmation }, { headers: { Cookie: cookie } }));
    expect(confirmed.status).toBe(200);
    expectPageHeaders(confirmed);
    expect(await confirmed.text()).toContain('You are signed out');
    expectSessionCleared(confirmed);
    expect(await sessionAlive(cookie)).toBe(false);
  });

  it('speaks the language the app names (ui_locales), kept through the confirmation; refusals follow it too', async () => {
    const { cookie } = await signIn();
    const response = await logout(method, { ui_locales: 'ja' }, cookie);
    const html = await response.text();
    expect(html).toContain('<html lang="ja" dir="ltr">');
    expect(html).toContain('<h1>ログアウトしますか？</h1>');
    expect(html).toContain('<button type="submit">ログアウト</button>');
    // The confirming POST carries no ui_locales and the browser prefers German: the page stays Japanese.
    const confirmed = await call('/logout', form({ confirmation: confirmationOf(html) }, { headers: { Cookie: cookie, 'Accept-Language': 'de' } }));
    expect(await confirmed.text()).toContain('<h1>ログアウトしました</h1>');

    const refused = await logout(method, { ui_locales: 'ar', post_logout_redirect_uri: SIGNED_OUT_URI });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('<html lang="ar" dir="rtl">');
    expect(page).toContain('<h1>طلب تسجيل الخروج غير صالح</h1>');
  });

  it('a hint of another user asks for confirmation instead of ending the session', async () => {
    await ensureOtherUser();
    const { cookie } = await signIn();
    // Another browser, where user_other signs in to the same app.
    const pending = await startLogin();
    const asOther = await submitLogin(pending, { email: 'other@example.com' });
    expect(asOther.status).toBe(303);
    const location = new URL(asOther.headers.get('Location')!);
    const otherTokens = await redeemForTokens({ code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: DEMO_REDIRECT, location });
    expect(decodeJwt(otherTokens.id_token!).sub).toBe('user_other');

    const response = await logout(method, { id_token_hint: otherTokens.id_token!, post_logout_redirect_uri: SIGNED_OUT_URI }, cookie);
    expect(response.status).toBe(200);
    confirmationOf(await response.text());
    expect(setCookieFor(response, SESSION_COOKIE)).toBeUndefined();
    expect(await sessionAlive(cookie)).toBe(true);
  });

  it('an expired ID token of the signed-in user is still a valid hint (RP-Initiated Logout section 2)', async () => {
    const { cookie, idToken } = await signedInWithIdToken();
    const { signIdToken } = await import('../src/crypto/jwt');
    const { getSigningKey } = await import('../src/tokens/key-cache');
    const claims = decodeJwt(idToken);
    const expired = await signIdToken(
      await getSigningKey(env, 'ES256'),
      { issuer: ISSUER, subject: claims.sub!, clientId: 'demo-app', nonce: undefined, authTime: claims.auth_time as number, accessToken: 'x', ttlSeconds: 60 },
      Math.floor(Date.now() / 1000) - 7200,
    );
    const response = await logout(method, { id_token_hint: expired, post_logout_redirect_uri: SIGNED_OUT_URI, state: 's' }, cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`${SIGNED_OUT_URI}?state=s`);
    expect(await sessionAlive(cookie)).toBe(false);
  });

  it('without any session, shows the signed-out page', async () => {
    const response = await logout(method, {});
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    const html = await response.text();
    expect(html).toContain('You are signed out');
    expect(html).not.toContain('name="confirmation"');
  });

  it('without a session but with a valid hint and registered URI, returns to the app', async () => {
    const { idToken } = await signedInWithIdToken();
    const response = await logout(method, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT_URI, state: 'x' });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`${SIGNED_OUT_URI}?state=x`);
  });

  it.each([
    ['a redirect URI that is not a post-logout URI', 'com.example.demo:/callback'],
    ['a trailing slash', 'com.example.demo:/signed-out/'],
    ['an added query', 'com.example.demo:/signed-out?next=https://evil.example'],
    ['an added fragment', 'com.example.demo:/signed-out#x'],
    ['a longer path', 'com.example.demo:/signed-outx'],
    ['a different case', 'COM.EXAMPLE.DEMO:/signed-out'],
    ['a percent-encoded path', 'com.example.demo:%2Fsigned-out'],
    ['an authority', 'com.example.demo://signed-out'],
    ['another app’s scheme', 'com.example.other:/signed-out'],
    ['an https site', 'https://evil.example/signed-out'],
    ['a protocol-relative URL', '//evil.example'],
    ['a javascript URL', 'javascript:alert(1)'],
    ['leading whitespace', ' com.example.demo:/signed-out'],
    ['a loopback URI', 'http://127.0.0.1/signed-out'],
  ])('refuses an unregistered post_logout_redirect_uri: %s', async (_name, uri) => {
    const { cookie, idToken } = await signedInWithIdToken();
    const withHint = await logout(method, { id_token_hint: idToken, post_logout_redirect_uri: uri, state: 's' }, cookie);
    const html = await expectErrorPage(withHint);
    expect(html).not.toContain('evil.example');
    expect(setCookieFor(withHint, SESSION_COOKIE)).toBeUndefined();
    // Nor by naming the client instead of sending a hint, nor without a session.
    await expectErrorPage(await logout(method, { client_id: 'demo-app', post_logout_redirect_uri: uri }, cookie));
    await expectErrorPage(await logout(method, { id_token_hint: idToken, post_logout_redirect_uri: uri }));
    // A refused request does not sign anyone out.
    expect(await sessionAlive(cookie)).toBe(true);
  });

  it('refuses a post_logout_redirect_uri when the client cannot be told (no hint, no client_id)', async () => {
    const { cookie } = await signIn();
    await expectErrorPage(await logout(method, { post_logout_redirect_uri: SIGNED_OUT_URI }, cookie));
    expect(await sessionAlive(cookie)).toBe(true);
  });

  it('refuses a client_id that is not the hint’s audience', async () => {
    const { cookie, idToken } = await signedInWithIdToken();
    await expectErrorPage(await logout(method, { id_token_hint: idToken, client_id: 'other-app', post_logout_redirect_uri: SIGNED_OUT_URI }, cookie));
    await expectErrorPage(await logout(method, { id_token_hint: idToken, client_id: 'other-app' }, cookie));
    expect(await sessionAlive(cookie)).toBe(true);
  });

  it.each([
    ['signed by another key', async (hint: string) => {
      const { privateKey } = await generateKeyPair('ES256');
      return new SignJWT({ ...decodeJwt(hint) }).setProtectedHeader({ alg: 'ES256', kid: 'forged' }).sign(privateKey);
    }],
    ['unsigned (alg none)', async (hint: string) => new UnsecuredJWT({ ...decodeJwt(hint) }).encode()],
    ['with a changed payload', async (hint: string) => flipAt(hint, hint.indexOf('.') + 20)],
    ['with a changed signature', async (hint: string) => flipAt(hint, hint.lastIndexOf('.') + 20)],
    ['garbage', async () => 'not-a-jwt'],
  ])('refuses a hint not issued by us: %s', async (_name, forge) => {
    const { cookie, idToken } = await signedInWithIdToken();
    const hint = await forge(idToken);
    await expectErrorPage(await logout(method, { id_token_hint: hint, post_logout_redirect_uri: SIGNED_OUT_URI }, cookie));
    await expectErrorPage(await logout(method, { id_token_hint: hint }, cookie));
    expect(await sessionAlive(cookie)).toBe(true);
  });

  // Regression: verifyIdTokenHint (src/routes/logout.tsx) used to check only signature and issuer,
  // so an access token of the signed-in user ended the session with no confirmation: any API that
  // receives access tokens could sign its users out.
  it('refuses an access token presented as id_token_hint (RFC 9068 section 4: typ at+jwt)', async () => {
    const { cookie, issued } = await signIn();
    const { access_token } = await redeemForTokens(issued);
    const response = await logout(method, { id_token_hint: access_token }, cookie);
    expect(setCookieFor(response, SESSION_COOKIE)).toBeUndefined();
    expect(await sessionAlive(cookie)).toBe(true);
    await expectErrorPage(response);
  });

  it('refuses a hint from another issuer even when signed with our key', async () => {
    const { cookie, idToken } = await signedInWithIdToken();
    const { signIdToken } = await import('../src/crypto/jwt');
    const { getSigningKey } = await import('../src/tokens/key-cache');
    const foreign = await signIdToken(
      await getSigningKey(env, 'ES256'),
      { issuer: 'https://evil.example', subject: decodeJwt(idToken).sub!, clientId: 'demo-app', nonce: undefined, authTime: 0, accessToken: 'x', ttlSeconds: 600 },
      Math.floor(Date.now() / 1000),
    );
    await expectErrorPage(await logout(method, { id_token_hint: foreign }, cookie));
    expect(await sessionAlive(cookie)).toBe(true);
  });
});

describe('/logout: the confirmation', () => {
  it('a tampered confirmation is refused with a 400 page and the session lives on', async () => {
    const { cookie } = await signIn();
    const confirmation = confirmationOf(await (await logout('GET', {}, cookie)).text());
    for (const forged of [flipAt(confirmation, 30), confirmation.slice(0, -2), 'garbage', `${confirmation}x`]) {
      const response = await call('/logout', form({ confirmation: forged }, { headers: { Cookie: cookie } }));
      await expectErrorPage(response);
      expect(setCookieFor(response, SESSION_COOKIE)).toBeUndefined();
    }
    expect(await sessionAlive(cookie)).toBe(true);
  });

  it('a confirmation shown for one session does not end another', async () => {
    const first = await signIn();
    const confirmation = confirmationOf(await (await logout('GET', {}, first.cookie)).text());
    const second = await signIn();
    const response = await call('/logout', form({ confirmation }, { headers: { Cookie: second.cookie } }));
    expect(response.status).toBe(200);
    expect(await sessionAlive(second.cookie)).toBe(true);
  });

  it('a confirmation sent by GET is not a confirmation', async () => {
    const { cookie } = await signIn();
    const confirmation = confirmationOf(await (await logout('GET', {}, cookie)).text());
    const response = await logout('GET', { confirmation }, cookie);
    expect(response.status).toBe(200);
    confirmationOf(await response.text());
    expect(await sessionAlive(cookie)).toBe(true);
  });
});

describe('/logout: malformed requests get a 400 page, never a 5xx', () => {
  it.each([
    ['GET with a repeated state', 'GET', 'state=a&state=b'],
    ['GET with a repeated id_token_hint', 'GET', 'id_token_hint=a&id_token_hint=b'],
    ['GET with a repeated post_logout_redirect_uri', 'GET', `post_logout_redirect_uri=${encodeURIComponent(SIGNED_OUT_URI)}&post_logout_redirect_uri=https://evil.example`],
    ['POST with a repeated client_id', 'POST', 'client_id=demo-app&client_id=other-app'],
    ['POST with a repeated confirmation', 'POST', 'confirmation=a&confirmation=b'],
  ])('%s', async (_name, method, query) => {
    const { cookie } = await signIn();
    for (const withCookie of [cookie, undefined]) {
      const headers: Record<string, string> = withCookie === undefined ? {} : { Cookie: withCookie };
      const response =
        method === 'GET'
          ? await call(`/logout?${query}`, { headers })
          : await call('/logout', { method: 'POST', headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: query });
      await expectErrorPage(response);
      expect(setCookieFor(response, SESSION_COOKIE)).toBeUndefined();
    }
    expect(await sessionAlive(cookie)).toBe(true);
  });

  it.each([
    ['a JSON body', { 'Content-Type': 'application/json' }, '{"confirmation":"x"}'],
    ['no content type', {}, 'confirmation=x'],
    ['invalid UTF-8', { 'Content-Type': 'application/x-www-form-urlencoded' }, new Uint8Array([0x63, 0x3d, 0xff, 0xfe])],
    ['an oversized body', { 'Content-Type': 'application/x-www-form-urlencoded' }, `state=${'x'.repeat(20_000)}`],
  ])('POST with %s', async (_name, headers, body) => {
    const { cookie } = await signIn();
    const response = await call('/logout', { method: 'POST', headers: { ...headers, Cookie: cookie }, body });
    await expectErrorPage(response);
    expect(await sessionAlive(cookie)).toBe(true);
  });
});
