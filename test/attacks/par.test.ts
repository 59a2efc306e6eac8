/**
 * Attacks on pushed authorization requests (RFC 9126 section 7): a captured request_uri replayed
 * or used by another client, a guessed one, front-channel parameters changed in the browser, a
 * push for a confidential client without its secret, credentials left in storage, and oversized
 * or nested pushes.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Base64url } from '../../src/crypto/hash';
import type { PushedRequestStore } from '../../src/durable-objects/pushed-request-store';
import type { PushedRequest } from '../../src/oauth/pushed-request';
import { expectErrorPage, expectLoginRedirect, expectOAuthError, PUSH_ERRORS } from '../helpers/assertions';
import { DEMO_REDIRECT } from '../helpers/fixtures';
import { defaultAuthorization, openLogin, push, pushAuthorization, pushedAuthorizePath, redeem, submitLogin } from '../helpers/flow';
import { basic, call } from '../helpers/http';
import { insertClient } from '../helpers/storage';
import { freshIp } from '../helpers/values';

const SERVICE = { id: 'par-attack-service', secret: 'par-attack-service-secret', redirect: 'https://service.example.org/callback' };

/** What the request_uri's object holds, read from inside it. */
function storedPush(requestUri: string): Promise<PushedRequest | undefined> {
  const stub = env.PUSHED_REQUESTS.get(env.PUSHED_REQUESTS.idFromName(requestUri));
  return runInDurableObject(stub, (_instance: PushedRequestStore, state) => state.storage.kv.get<PushedRequest>('request'));
}

describe('a captured request_uri', () => {
  it('replayed after the app used it: refused on a page, no second login request', async () => {
    const pushed = await pushAuthorization();
    expectLoginRedirect(await call(pushedAuthorizePath('demo-app', pushed.requestUri)));
    const replay = await call(pushedAuthorizePath('demo-app', pushed.requestUri));
    await expectErrorPage(replay);
    expect(replay.headers.getSetCookie()).toEqual([]);
  });

  it('presented by another client: refused, and spent for the pusher too (first presentation wins)', async () => {
    const pushed = await pushAuthorization();
    await expectErrorPage(await call(pushedAuthorizePath('other-app', pushed.requestUri)));
    expect(await storedPush(pushed.requestUri)).toBeUndefined();
    await expectErrorPage(await call(pushedAuthorizePath('demo-app', pushed.requestUri)));
  });

  it('used by two browsers at once: exactly one gets the login page', async () => {
    const pushed = await pushAuthorization();
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(pushedAuthorizePath('demo-app', pushed.requestUri))));
    expect(answers.map((answer) => answer.status).sort()).toEqual([302, 400, 400, 400, 400]);
  });
});

describe('a guessed request_uri', () => {
  it('finds nothing: an error page, never a redirect to anything', async () => {
    const guess = `urn:ietf:params:oauth:request_uri:${crypto.randomUUID().replace(/-/g, '').padEnd(43, 'x')}`;
    await expectErrorPage(await call(pushedAuthorizePath('demo-app', guess, { redirect_uri: DEMO_REDIRECT })));
  });
});

describe('front-channel tampering', () => {
  it('a redirect_uri, scope or PKCE challenge changed in the browser is ignored: the code goes where the app pushed and needs its verifier', async () => {
    const pushed = await pushAuthorization();
    const evil = await defaultAuthorization({ redirect_uri: 'http://127.0.0.1:6666/callback', scope: 'openid write:items offline_access' });
    const pending = await openLogin(await call(pushedAuthorizePath('demo-app', pushed.requestUri, evil.params as Record<string, string>)), pushed.verifier, pushed.params);
    const response = await submitLogin(pending, {}, { 'CF-Connecting-IP': freshIp() });
    const location = new URL(response.headers.get('Location')!);
    expect(location.href.startsWith(`${DEMO_REDIRECT}?`)).toBe(true);
    const code = location.searchParams.get('code')!;
    // The attacker's verifier does not redeem it.
    await expectOAuthError(await redeem({ code, verifier: evil.verifier, redirectUri: DEMO_REDIRECT, location }), 400, 'invalid_grant');
  });
});

describe('pushing as someone else', () => {
  it('a confidential client cannot be pushed for without its secret', async () => {
    await insertClient({ id: SERVICE.id, type: 'confidential', secretHash: await sha256Base64url(SERVICE.secret), redirectUris: [SERVICE.redirect] });
    const { params } = await defaultAuthorization({ client_id: SERVICE.id, redirect_uri: SERVICE.redirect });
    await expectOAuthError(await push(params), 401, 'invalid_client', PUSH_ERRORS);
    await expectOAuthError(await push({ ...params, client_id: undefined }, { Authorization: basic(SERVICE.id, 'guess') }), 401, 'invalid_client', PUSH_ERRORS);
  });

  it('Basic credentials of one client with the client_id of another: refused', async () => {
    await insertClient({ id: SERVICE.id, type: 'confidential', secretHash: await sha256Base64url(SERVICE.secret), redirectUris: [SERVICE.redirect] });
    const { params } = await defaultAuthorization();
    await expectOAuthError(await push(params, { Authorization: basic(SERVICE.id, SERVICE.secret) }), 400, 'invalid_request', PUSH_ERRORS);
  });
});

describe('what is stored', () => {
  it('the request without the client secret, expiring when the answer says', async () => {
    await insertClient({ id: SERVICE.id, type: 'confidential', secretHash: await sha256Base64url(SERVICE.secret), redirectUris: [SERVICE.redirect] });
    const before = Date.now();
    const pushed = await pushAuthorization({ client_id: SERVICE.id, redirect_uri: SERVICE.redirect, client_secret: SERVICE.secret });
    const stored = await storedPush(pushed.requestUri);
    expect(stored?.clientId).toBe(SERVICE.id);
    expect(stored?.params).toMatchObject({ client_id: SERVICE.id, redirect_uri: SERVICE.redirect });
    expect(JSON.stringify(stored)).not.toContain(SERVICE.secret);
    expect(stored!.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(stored!.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
  });
});

describe('oversized and nested pushes', () => {
  it('a body over 16 KiB: 413, nothing stored', async () => {
    const { params } = await defaultAuthorization({ state: 'x'.repeat(2000) });
    const padding = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`pad${i}`, 'y'.repeat(2000)]));
    await expectOAuthError(await push({ ...params, ...padding }), 413, 'invalid_request', PUSH_ERRORS);
  });

  it('a pushed request pointing at another request_uri: refused', async () => {
    const first = await pushAuthorization();
    const { params } = await defaultAuthorization({ request_uri: first.requestUri });
    await expectOAuthError(await push(params), 400, 'invalid_request', PUSH_ERRORS);
  });
});
