/**
 * Passkeys (WebAuthn, issue 14), in workerd with a software authenticator: enrolment on the account
 * page, discoverable sign-in on the login page that continues the authorization request, and the
 * refusals: a challenge used twice, expired, or made for another request or user; a foreign origin
 * or RP ID; no user verification; a counter that went back; another user's handle.
 */
import { decodeJwt } from 'jose';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { userHandleFor } from '../src/oauth/passkey-verification';
import { expectPageHeaders } from './helpers/assertions';
import { DEMO_REDIRECT, ISSUER } from './helpers/fixtures';
import { redeemForTokens, startLogin, type PendingLogin } from './helpers/flow';
import { call, cookieFrom, form, SESSION_COOKIE } from './helpers/http';
import { FLAGS, SoftwareAuthenticator, type CeremonyOptions } from './helpers/software-authenticator';
import { management, managementToken, ok, scopesWithout } from './helpers/management';
import { insertUsers, readAccount } from './helpers/storage';
import { freshIp, unique } from './helpers/values';

const PASSWORD = 'passkey-test-password';
const RP_ID = new URL(ISSUER).hostname;
const REFUSED = 'That passkey could not sign you in.';

let email: string;
let userId: string;

beforeEach(async () => {
  email = `passkey-${unique()}@example.com`;
  userId = `user_${email.replace(/[^a-z0-9]/g, '_')}`;
  await insertUsers({ [email]: PASSWORD });
});

afterEach(() => {
  vi.useRealTimers();
});

const post = (path: string, fields: Record<string, string>, cookie = '') =>
  call(path, form(fields, { headers: { Cookie: cookie, 'CF-Connecting-IP': freshIp() } }));

const attribute = (page: string, name: string) => /* the first form that carries it */ new RegExp(`${name}="([^"]*)"`).exec(page)?.[1];

async function accountSession(): Promise<string> {
  const answered = await post('/account/sign-in', { email, password: PASSWORD });
  expect(answered.status).toBe(303);
  return cookieFrom(answered, SESSION_COOKIE);
}

/** Enrols a new passkey from the account page, as its script does; the answer to the form post. */
async function enrol(authenticator: SoftwareAuthenticator, cookie: string, name = '', spoil: Partial<CeremonyOptions> = {}) {
  const page = await (await call('/account', { headers: { Cookie: cookie } })).text();
  const challenge = attribute(page, 'data-challenge')!;
  expect(attribute(page, 'data-user-id')).toBe(userHandleFor(userId));
  const registration = await authenticator.create({ challenge, ...spoil, userHandle: attribute(page, 'data-user-id')! });
  return post('/account/passkeys', { name, credential: JSON.stringify(registration) }, cookie);
}

async function enrolled(options: { synced?: boolean; counts?: boolean } = {}): Promise<SoftwareAuthenticator> {
  const authenticator = new SoftwareAuthenticator({ origin: ISSUER, rpId: RP_ID, ...options });
  const answer = await enrol(authenticator, await accountSession(), 'My laptop');
  expect(answer.status).toBe(303);
  expect(answer.headers.get('Location')).toBe('/account?done=passkey_added#passkeys');
  return authenticator;
}

/** The login page of a fresh request: its pending request and the passkey challenge it carries. */
async function loginPage(): Promise<{ pending: PendingLogin; challenge: string }> {
  const pending = await startLogin();
  const page = await (await call('/login', { headers: { Cookie: pending.cookie } })).text();
  return { pending, challenge: attribute(page, 'data-challenge')! };
}

const signInWith = (pending: PendingLogin, credential: unknown) =>
  post('/login/passkey', { request_id: pending.requestId, credential: JSON.stringify(credential) }, pending.cookie);

async function expectRefused(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  expect(await response.text()).toContain(REFUSED);
}

describe('passkey enrolment on the account page', () => {
  it('lists the new passkey with its name, and stores its lookup row', async () => {
    const authenticator = await enrolled();
    const page = await (await call('/account', { headers: { Cookie: await accountSession() } })).text();
    expect(page).toContain('<strong>My laptop</strong>');
    expect(page).toContain(`data-exclude="${authenticator.credentialId}"`);
    const row = await env.DB.prepare('SELECT user_id FROM passkey_credentials WHERE credential_id = ?').bind(authenticator.credentialId).first();
    expect(row).toEqual({ user_id: userId });
  });

  it('names a passkey after its authenticator when no name is given', async () => {
    const cookie = await accountSession();
    expect((await enrol(new SoftwareAuthenticator({ origin: ISSUER, rpId: RP_ID }), cookie)).status).toBe(303);
    const page = await (await call('/account', { headers: { Cookie: cookie } })).text();
    expect(page).toContain('<strong>Chromium Virtual Authenticator (browser dev tools)</strong>');
  });

  it.each([
    ['a foreign origin', { origin: 'https://evil.example' }],
    ['another RP ID', { rpId: 'example.test' }],
    ['no user verification', { flags: FLAGS.UP | FLAGS.AT }],
    ['no user presence', { flags: FLAGS.UV | FLAGS.AT }],
    ['the wrong ceremony type', { type: 'webauthn.get' }],
    ['a cross-origin frame', { crossOrigin: true }],
  ])('refuses a registration with %s', async (_, spoil) => {
    const cookie = await accountSession();
    const answer = await enrol(new SoftwareAuthenticator({ origin: ISSUER, rpId: RP_ID }), cookie, '', spoil);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('The passkey could not be added.');
    expect(await env.DB.prepare('SELECT count(*) AS n FROM passkey_credentials WHERE user_id = ?').bind(userId).first('n')).toBe(0);
  });

  it('refuses a registration challenge made for another user', async () => {
    const other = `passkey-other-${unique()}@example.com`;
    await insertUsers({ [other]: PASSWORD });
    const otherCookie = cookieFrom(await post('/account/sign-in', { email: other, password: PASSWORD }), SESSION_COOKIE);
    const otherPage = await (await call('/account', { headers: { Cookie: otherCookie } })).text();
    const registration = await new SoftwareAuthenticator({ origin: ISSUER, rpId: RP_ID }).create({ challenge: attribute(otherPage, 'data-challenge')!, userHandle: 'x' });
    expect((await post('/account/passkeys', { credential: JSON.stringify(registration) }, await accountSession())).status).toBe(400);
  });

  it('renames and removes a passkey without script; a removed passkey no longer signs in', async () => {
    const authenticator = await enrolled();
    const cookie = await accountSession();
    expect((await post('/account/passkeys/rename', { id: authenticator.credentialId, name: '  Work phone\n' }, cookie)).status).toBe(303);
    expect(await (await call('/account', { headers: { Cookie: cookie } })).text()).toContain('<strong>Work phone</strong>');
    const removed = await post('/account/passkeys/remove', { id: authenticator.credentialId }, cookie);
    expect(removed.headers.get('Location')).toBe('/account?done=passkey_removed#passkeys');
    expect(await env.DB.prepare('SELECT count(*) AS n FROM passkey_credentials WHERE user_id = ?').bind(userId).first('n')).toBe(0);
    const { pending, challenge } = await loginPage();
    await expectRefused(await signInWith(pending, await authenticator.get({ challenge })));
  });
});

describe('passkeys in the Management API', () => {
  it('lists a user\'s passkeys and removes one, which then no longer signs in', async () => {
    const authenticator = await enrolled();
    const listed = await ok<{ items: Record<string, unknown>[] }>(await management('GET', `/users/${userId}/passkeys`));
    expect(listed.items).toEqual([expect.objectContaining({ id: authenticator.credentialId, name: 'My laptop' })]);
    expect((await management('GET', `/users/${userId}/passkeys`, undefined, await managementToken(scopesWithout('read:users')))).status).toBe(403);
    expect((await management('DELETE', `/users/${userId}/passkeys/${authenticator.credentialId}`)).status).toBe(204);
    expect((await management('DELETE', `/users/${userId}/passkeys/${authenticator.credentialId}`)).status).toBe(404);
    expect((await management('GET', `/users/nobody-${unique()}/passkeys`)).status).toBe(404);
    const { pending, challenge } = await loginPage();
    await expectRefused(await signInWith(pending, await authenticator.get({ challenge })));
  });
});

describe('passkeys in the data export and on deletion', () => {
  it('exports the passkeys\' metadata (no public key) and deletes them with the account', async () => {
    const authenticator = await enrolled();
    const cookie = await accountSession();
    const exported = (await (await call('/account/export', { headers: { Cookie: cookie } })).json()) as { passkeys: Record<string, unknown>[] };
    expect(exported.passkeys).toEqual([
      expect.objectContaining({ id: authenticator.credentialId, name: 'My laptop', backup_eligible: false, last_used_at: null, transports: ['internal'] }),
    ]);
    expect(JSON.stringify(exported)).not.toContain('publicKey');
    const deleted = await post('/account/delete', { current_password: PASSWORD }, cookie);
    expect(deleted.status).toBe(200);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM passkey_credentials WHERE credential_id = ?').bind(authenticator.credentialId).first('n')).toBe(0);
  });
});

describe('passkey sign-in on the login page', () => {
  it('offers passkeys in the email field\'s autofill and a button, under the page\'s nonce', async () => {
    const pending = await startLogin();
    const response = await call('/login', { headers: { Cookie: pending.cookie } });
    expectPageHeaders(response);
    const page = await response.text();
    expect(page).toContain('autocomplete="username webauthn"');
    expect(page).toContain('action="/login/passkey"');
    expect(attribute(page, 'data-rp-id')).toBe(RP_ID);
    expect(response.headers.get('Content-Security-Policy')).toMatch(/script-src 'nonce-[\w-]+'/);
  });

  it('signs in without an email, continues the request with a code, and records hwk + user', async () => {
    const authenticator = await enrolled();
    const { pending, challenge } = await loginPage();
    const answer = await signInWith(pending, await authenticator.get({ challenge }));
    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get('Location')!);
    expect(`${location.protocol}${location.pathname}`).toBe(DEMO_REDIRECT);
    expect(location.searchParams.get('state')).toBe(pending.params.state);
    const tokens = await redeemForTokens({ code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: DEMO_REDIRECT, location });
    expect(tokens.access_token).toBeTruthy();
    const sessions = Object.values((await readAccount(userId))!.sessions);
    expect(sessions.map((s) => s.amr)).toContainEqual(['hwk', 'user']);
    // A device-bound key with user verification is two factors in one: the ID token says so.
    expect(decodeJwt(tokens.id_token!)).toMatchObject({ amr: ['hwk', 'user'], acr: 'urn:edge-auth:acr:mfa' });
  });

  it('records swk for a synced (backup-eligible) passkey', async () => {
    const authenticator = await enrolled({ synced: true });
    const { pending, challenge } = await loginPage();
    expect((await signInWith(pending, await authenticator.get({ challenge }))).status).toBe(303);
    expect(Object.values((await readAccount(userId))!.sessions).map((s) => s.amr)).toContainEqual(['swk', 'user']);
  });

  it('uses a challenge once: a second signature over it is refused', async () => {
    const authenticator = await enrolled();
    const first = await loginPage();
    expect((await signInWith(first.pending, await authenticator.get({ challenge: first.challenge }))).status).toBe(303);
    const again = await startLogin();
    // The same challenge on a new request is bound to the old request; on the old one it is spent.
    await expectRefused(await signInWith(again, await authenticator.get({ challenge: first.challenge })));
    const second = await loginPage();
    const twice = await authenticator.get({ challenge: second.challenge });
    const other = await authenticator.get({ challenge: second.challenge });
    expect((await signInWith(second.pending, twice)).status).toBe(303);
    await expectRefused(await signInWith(second.pending, other));
  });

  it('refuses a challenge after its five minutes (frozen clock)', async () => {
    const authenticator = await enrolled();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());
    const { pending, challenge } = await loginPage();
    const assertion = await authenticator.get({ challenge });
    vi.setSystemTime(Date.now() + 5 * 60 * 1000);
    await expectRefused(await signInWith(pending, assertion));
  });

  it.each([
    ['a foreign origin', { origin: 'https://evil.example' }],
    ['another RP ID', { rpId: 'example.test' }],
    ['no user verification', { flags: FLAGS.UP }],
    ['no user presence', { flags: FLAGS.UV }],
    ['the wrong ceremony type', { type: 'webauthn.create' }],
    ['a cross-origin frame', { crossOrigin: true }],
    ['another user\'s handle', { userHandle: userHandleFor('user_someone_else') }],
  ])('refuses an assertion with %s', async (_, spoil) => {
    const authenticator = await enrolled();
    const { pending, challenge } = await loginPage();
    await expectRefused(await signInWith(pending, await authenticator.get({ challenge, ...spoil })));
  });

  it('refuses a signature that does not verify, and an unknown credential', async () => {
    const authenticator = await enrolled();
    const { pending, challenge } = await loginPage();
    const assertion = await authenticator.get({ challenge });
    const forged = { ...assertion, response: { ...assertion.response, signature: (await authenticator.get({ challenge: `${challenge}x` })).response.signature } };
    await expectRefused(await signInWith(pending, forged));
    const stranger = new SoftwareAuthenticator({ origin: ISSUER, rpId: RP_ID });
    await stranger.create({ challenge, userHandle: userHandleFor(userId) });
    await expectRefused(await signInWith(pending, await stranger.get({ challenge })));
  });

  it('refuses a counter that did not move on when both are non-zero; a zero counter means none', async () => {
    const authenticator = await enrolled({ counts: true });
    const first = await loginPage();
    expect((await signInWith(first.pending, await authenticator.get({ challenge: first.challenge }))).status).toBe(303);
    const cloned = await loginPage();
    await expectRefused(await signInWith(cloned.pending, await authenticator.get({ challenge: cloned.challenge, signCount: 1 })));
    const uncounted = await loginPage();
    expect((await signInWith(uncounted.pending, await authenticator.get({ challenge: uncounted.challenge, signCount: 0 }))).status).toBe(303);
    const next = await loginPage();
    expect((await signInWith(next.pending, await authenticator.get({ challenge: next.challenge, signCount: 7 }))).status).toBe(303);
  });

  it('refuses malformed credentials with the same page', async () => {
    const { pending } = await loginPage();
    for (const credential of ['', 'null', '{"id":1}', '[]']) {
      await expectRefused(await post('/login/passkey', { request_id: pending.requestId, credential }, pending.cookie));
    }
  });
});

describe('the association files for native apps', () => {
  it('lists the clients\' iOS apps for webcredentials and Android packages for get_login_creds', async () => {
    const apple = await call('/.well-known/apple-app-site-association');
    expect(apple.status).toBe(200);
    expect(apple.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(((await apple.json()) as { webcredentials: { apps: string[] } }).webcredentials.apps).toContain('ABCDE12345.com.example.demo');
    const android = (await (await call('/.well-known/assetlinks.json')).json()) as { relation: string[]; target: Record<string, unknown> }[];
    expect(android).toContainEqual({
      relation: ['delegate_permission/common.get_login_creds'],
      target: { namespace: 'android_app', package_name: 'com.example.demo', sha256_cert_fingerprints: [expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)] },
    });
  });

  it('takes the apps from the Management API, checked', async () => {
    const created = await ok<{ id: string; ios_app_ids: string[]; android_packages: unknown[] }>(
      await management('POST', '/clients', {
        name: 'Native', type: 'public', redirect_uris: ['com.example.native:/cb'], scopes: ['openid'], audiences: ['https://api.example.com'], ios_app_ids: ['ZYXWV98765.com.example.native'],
        android_packages: [{ package_name: 'com.example.native', sha256_cert_fingerprints: [Array(32).fill('ab').join(':')] }],
      }),
      201,
    );
    expect(created.android_packages).toEqual([{ package_name: 'com.example.native', sha256_cert_fingerprints: [Array(32).fill('AB').join(':')] }]);
    expect(((await (await call('/.well-known/apple-app-site-association')).json()) as { webcredentials: { apps: string[] } }).webcredentials.apps).toContain('ZYXWV98765.com.example.native');
    expect((await management('PATCH', `/clients/${created.id}`, { ios_app_ids: ['not-a-team.app'] })).status).toBe(400);
    expect((await management('PATCH', `/clients/${created.id}`, { android_packages: [{ package_name: 'x', sha256_cert_fingerprints: [] }] })).status).toBe(400);
  });
});
