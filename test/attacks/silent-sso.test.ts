/**
 * Issue 12, finding 1 (RFC 8252 section 8.6): any app on the device can listen on a loopback port
 * or claim a private-use scheme, start its own request as a public client with its own PKCE pair,
 * and receive the code. So a single sign-on session approves such a request only after the person
 * confirms it on a page ("Continue as …"); `prompt=none` answers interaction_required. A claimed
 * https redirect and a confidential client keep silent single sign-on. `sso_confirmation` changes
 * the rule per client.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Base64url } from '../../src/crypto/hash';
import { userStore } from '../../src/durable-objects/user-store';
import { DEMO_CLAIMED_REDIRECT, DEMO_REDIRECT, PARTNER, PARTNER_CLAIMED_REDIRECT } from '../helpers/fixtures';
import { basic, call, cookieFrom, form, LOGIN_COOKIE, SESSION_COOKIE, setCookieFor } from '../helpers/http';
import { authorizeWith, reachConsent, redeemForTokens, signIn, submitConsent } from '../helpers/flow';
import { expectErrorPage, expectErrorRedirect, expectLoginRedirect, expectPageHeaders } from '../helpers/assertions';
import { createClient, management, ok } from '../helpers/management';
import { changeSession, insertClient, insertUsers } from '../helpers/storage';
import { freshIp, unique } from '../helpers/values';

const ATTACKER_LOOPBACK = 'http://127.0.0.1:49152/callback';

/** The page a browser lands on after /authorize sent it to /login: status, HTML, and the pending request's id. */
async function loginPageFor(authorized: Response, session: string) {
  expectLoginRedirect(authorized);
  const cookie = `${cookieFrom(authorized)}; ${session}`;
  const page = await call('/login', { headers: { Cookie: cookie } });
  const html = await page.text();
  return { page, html, cookie, requestId: /name="request_id" value="([^"]+)"/.exec(html)?.[1] };
}

function confirm(cookie: string, requestId: string | undefined, headers: Record<string, string> = {}): Promise<Response> {
  return call('/login/continue', form({ request_id: requestId ?? '' }, { headers: { Cookie: cookie, ...headers } }));
}

function codeOf(response: Response): string | null {
  const location = response.headers.get('Location');
  return location && URL.canParse(location) ? new URL(location).searchParams.get('code') : null;
}

describe('a session never hands a code silently to an app whose redirect cannot prove its identity', () => {
  it.each([
    ['its private-use scheme', DEMO_REDIRECT],
    ['a loopback port of the attacker’s choosing', ATTACKER_LOOPBACK],
  ])('demo-app from %s: the one-tap page, no code, until the person confirms', async (_name, redirectUri) => {
    const { cookie: session } = await signIn();
    const { response, verifier } = await authorizeWith(session, { redirect_uri: redirectUri });
    expect(codeOf(response)).toBeNull();
    const { page, html, cookie, requestId } = await loginPageFor(response, session);
    expect(page.status).toBe(200);
    expectPageHeaders(page);
    expect(html).toContain('Continue as demo@example.com');
    expect(html).toContain('Demo App');
    expect(html).toContain('href="/login?account=another"');
    expect(html).not.toContain('type="password"');

    const confirmed = await confirm(cookie, requestId);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('Location')!.startsWith(`${redirectUri}?code=`)).toBe(true);
    // The pending request is spent: its cookie is cleared, and confirming again is refused.
    expect(setCookieFor(confirmed, LOGIN_COOKIE)).toMatch(/Max-Age=0/i);
    await expectErrorPage(await confirm(cookie, requestId));
    const tokens = await redeemForTokens({ code: codeOf(confirmed)!, verifier, redirectUri, location: new URL(confirmed.headers.get('Location')!) });
    expect(tokens.access_token).toBeTruthy();
  });

  it('prompt=none from an unverifiable redirect answers interaction_required with a live session, login_required without', async () => {
    const { cookie: session, sessionId } = await signIn();
    expectErrorRedirect((await authorizeWith(session, { redirect_uri: DEMO_REDIRECT, prompt: 'none' })).response, 'interaction_required');
    expectErrorRedirect((await authorizeWith(session, { redirect_uri: ATTACKER_LOOPBACK, prompt: 'none' })).response, 'interaction_required', {
      redirectUri: ATTACKER_LOOPBACK,
    });
    // A session older than max_age would need a sign-in anyway.
    await changeSession(sessionId, (s) => ({ ...s, authTime: s.authTime - 600 }));
    expectErrorRedirect((await authorizeWith(session, { redirect_uri: DEMO_REDIRECT, prompt: 'none', max_age: '60' })).response, 'login_required');
    const [userId, id] = sessionId.split('.');
    await userStore(env, userId!).endSession(id!);
    expectErrorRedirect((await authorizeWith(session, { redirect_uri: DEMO_REDIRECT, prompt: 'none' })).response, 'login_required');
  });

  it('the claimed https redirect keeps silent single sign-on', async () => {
    const { cookie: session } = await signIn();
    const { response } = await authorizeWith(session, { prompt: 'none' });
    expect(response.headers.get('Location')!.startsWith(`${DEMO_CLAIMED_REDIRECT}?code=`)).toBe(true);
  });

  it('partner-app, after the user consented once, also asks from its private-use scheme', async () => {
    const email = `sso-partner-${unique()}@example.com`;
    await insertUsers({ [email]: 'partner-password' });
    const consent = await reachConsent(email, 'partner-password');
    expect(codeOf(await submitConsent(consent, 'allow'))).toBeTruthy();

    const again = await authorizeWith(consent.session, PARTNER);
    expect(codeOf(again.response)).toBeNull();
    const { html, cookie, requestId } = await loginPageFor(again.response, consent.session);
    expect(html).toContain(`Continue as ${email}`);
    // Consent was remembered: confirming goes straight back to the app.
    const confirmed = await confirm(cookie, requestId);
    expect(confirmed.headers.get('Location')!.startsWith(`${PARTNER.redirect_uri}?code=`)).toBe(true);
    expectErrorRedirect((await authorizeWith(consent.session, { ...PARTNER, prompt: 'none' })).response, 'interaction_required', {
      redirectUri: PARTNER.redirect_uri,
    });
    const silent = await authorizeWith(consent.session, { ...PARTNER, redirect_uri: PARTNER_CLAIMED_REDIRECT, prompt: 'none' });
    expect(codeOf(silent.response)).toBeTruthy();
  });

  it('a confidential client keeps silent single sign-on: its code is useless without its secret', async () => {
    const id = `sso-confidential-${unique()}`;
    await insertClient({ id, type: 'confidential', secretHash: await sha256Base64url('confidential-secret'), redirectUris: ['com.example.confidential:/cb'], scopes: ['openid'] });
    const { cookie: session } = await signIn();
    const { response, verifier } = await authorizeWith(session, { client_id: id, redirect_uri: 'com.example.confidential:/cb', scope: 'openid', prompt: 'none' });
    const code = codeOf(response);
    expect(code).toBeTruthy();
    const redeemed = await call(
      '/oauth/token',
      form(
        { grant_type: 'authorization_code', code: code!, redirect_uri: 'com.example.confidential:/cb', code_verifier: verifier },
        { headers: { Authorization: basic(id, 'confidential-secret') } },
      ),
    );
    expect(redeemed.status).toBe(200);
  });
});

describe('the one-tap page', () => {
  it('"Use another account" shows the password form for the same request, and the other account signs in', async () => {
    const email = `sso-another-${unique()}@example.com`;
    await insertUsers({ [email]: 'another-password' });
    const { cookie: session } = await signIn();
    const { response } = await authorizeWith(session, { redirect_uri: DEMO_REDIRECT });
    const { cookie, requestId } = await loginPageFor(response, session);
    const another = await call('/login?account=another', { headers: { Cookie: cookie } });
    const html = await another.text();
    expect(html).toContain('type="password"');
    expect(/name="request_id" value="([^"]+)"/.exec(html)?.[1]).toBe(requestId);
    const signedIn = await call(
      '/login',
      form({ request_id: requestId!, email, password: 'another-password' }, { headers: { Cookie: cookie, 'CF-Connecting-IP': freshIp() } }),
    );
    expect(codeOf(signedIn)).toBeTruthy();
    expect(cookieFrom(signedIn, SESSION_COOKIE)).not.toBe(session);
  });

  it('a session ended after the page was shown issues nothing: the password form is next', async () => {
    const { cookie: session, sessionId } = await signIn();
    const { response } = await authorizeWith(session, { redirect_uri: DEMO_REDIRECT });
    const { cookie, requestId } = await loginPageFor(response, session);
    const [userId, id] = sessionId.split('.');
    await userStore(env, userId!).endSession(id!);
    const confirmed = await confirm(cookie, requestId);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('Location')).toBe('/login?account=another');
    expect((await (await call('/login', { headers: { Cookie: cookie } })).text())).toContain('type="password"');
  });

  it('a session older than max_age gets the password form, not the one-tap page', async () => {
    const { cookie: session, sessionId } = await signIn();
    await changeSession(sessionId, (s) => ({ ...s, authTime: s.authTime - 600 }));
    const { response } = await authorizeWith(session, { redirect_uri: DEMO_REDIRECT, max_age: '60' });
    const { html } = await loginPageFor(response, session);
    expect(html).toContain('type="password"');
    expect(html).not.toContain('Continue as');
  });

  it('refuses a confirmation without the request id, with another one, from another site, or for a request that did not offer it', async () => {
    const { cookie: session } = await signIn();
    const { response } = await authorizeWith(session, { redirect_uri: DEMO_REDIRECT });
    const { cookie, requestId } = await loginPageFor(response, session);
    await expectErrorPage(await confirm(cookie, undefined));
    await expectErrorPage(await confirm(cookie, 'A'.repeat(22)));
    await expectErrorPage(await confirm(cookie, requestId, { Origin: 'https://evil.example' }), 403);
    // prompt=login never offers the session: its request cannot be confirmed with it.
    const fresh = await authorizeWith(session, { redirect_uri: DEMO_REDIRECT, prompt: 'login' });
    const forced = await loginPageFor(fresh.response, session);
    expect(forced.html).toContain('type="password"');
    await expectErrorPage(await confirm(forced.cookie, forced.requestId));
    // The refusals spent nothing: the real confirmation still works.
    expect(codeOf(await confirm(cookie, requestId))).toBeTruthy();
  });
});

describe('sso_confirmation, per client', () => {
  async function clientWith(setting: string | undefined, redirectUri: string) {
    const client = await createClient({
      redirect_uris: [redirectUri],
      scopes: ['openid', 'read:items'],
      audiences: ['https://api.example.com'],
      ...(setting === undefined ? {} : { sso_confirmation: setting }),
    });
    return { client_id: client.id, redirect_uri: redirectUri, scope: 'openid read:items' };
  }

  it('defaults to unverified_redirects, and the Management API changes it', async () => {
    const app = await clientWith(undefined, `com.example.sso${unique()}:/cb`);
    const { cookie: session } = await signIn();
    expectErrorRedirect((await authorizeWith(session, { ...app, prompt: 'none' })).response, 'interaction_required', { redirectUri: app.redirect_uri });

    const updated = await ok<{ sso_confirmation: string }>(await management('PATCH', `/clients/${app.client_id}`, { sso_confirmation: 'never' }));
    expect(updated.sso_confirmation).toBe('never');
    expect(codeOf((await authorizeWith(session, { ...app, prompt: 'none' })).response)).toBeTruthy();
  });

  it('always asks, even from a claimed https redirect', async () => {
    const app = await clientWith('always', `https://sso-${unique()}.example.com/cb`);
    const { cookie: session } = await signIn();
    expectErrorRedirect((await authorizeWith(session, { ...app, prompt: 'none' })).response, 'interaction_required', { redirectUri: app.redirect_uri });
    const { html } = await loginPageFor((await authorizeWith(session, app)).response, session);
    expect(html).toContain('Continue as demo@example.com');
  });
});
