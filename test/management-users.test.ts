import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call } from './helpers/http';
import { freshIp, unique } from './helpers/values';
import { authorizePath, defaultAuthorization, loginAs, refresh, signInForTokens } from './helpers/flow';
import { expectLoginRefused, expectOAuthError, expectTokenResponse } from './helpers/assertions';
import { createUser, expectApiError, expectInvalidFields, listAll, management, ok, type Page, type UserJson } from './helpers/management';

const USER_KEYS = ['blocked', 'created_at', 'email', 'email_verified', 'id', 'locale', 'name', 'updated_at'];

async function expectSignIn(email: string, password: string): Promise<void> {
  const { response } = await loginAs(email, password);
  expect(response.status).toBe(303);
  expect(new URL(response.headers.get('Location')!).searchParams.get('code')).toBeTruthy();
}

async function expectSignInRefused(email: string, password: string): Promise<void> {
  await expectLoginRefused((await loginAs(email, password)).response);
}

const storedHash = async (id: string) =>
  (await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(id).first<{ password_hash: string }>())?.password_hash;

describe('POST /api/v1/users', () => {
  it('creates a user (201) who can sign in through the real login form', async () => {
    const local = `Ada-${unique()}`;
    const response = await management('POST', '/users', { email: `  ${local}@Example.ORG `, password: 'correct horse battery', name: 'Ada' });
    const user = await ok<UserJson>(response, 201);
    expect(Object.keys(user).sort()).toEqual(USER_KEYS);
    expect(user).toMatchObject({ email: `${local.toLowerCase()}@example.org`, name: 'Ada', email_verified: false, blocked: false });
    expect(user.id).toMatch(/^user_/);
    // Stored as a self-describing PBKDF2 hash, never as itself.
    const hash = await storedHash(user.id);
    expect(hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(hash).not.toContain('correct horse battery');
    await expectSignIn(`${local}@example.org`, 'correct horse battery');
  });

  it('refuses an email that exists, compared case-insensitively (409)', async () => {
    const user = await createUser();
    const again = await management('POST', '/users', { email: ` ${user.email.toUpperCase()}`, password: 'another-password' });
    await expectApiError(again, 409, 'conflict');
    await expectApiError(await management('POST', '/users', { email: 'DEMO@example.com', password: 'another-password' }), 409, 'conflict');
  });

  it('lets exactly one of concurrent creations with one email win; the others get 409, never a 5xx', async () => {
    const email = `race-${unique()}@example.org`;
    const responses = await Promise.all(
      ['A', 'B', 'C', 'D'].map((variant) => management('POST', '/users', { email: variant === 'A' ? email : email.toUpperCase(), password: `password-${variant}` })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    for (const response of responses.filter((r) => r.status === 409)) await expectApiError(response, 409, 'conflict');
    expect(await ok(await management('GET', `/users?email=${encodeURIComponent(email)}`))).toMatchObject({ total: 1 });
  });

  it.each([
    ['no email', { password: 'long-enough' }, ['email']],
    ['an invalid email', { email: 'not-an-email', password: 'long-enough' }, ['email']],
    ['a short password', { email: 'short@example.org', password: 'seven77' }, ['password']],
    ['no password', { email: 'nopass@example.org' }, ['password']],
    ['a name of the wrong type', { email: 'n@example.org', password: 'long-enough', name: 42 }, ['name']],
    ['email_verified as a string', { email: 'v@example.org', password: 'long-enough', email_verified: 'yes' }, ['email_verified']],
    ['a field only PATCH knows', { email: 'b@example.org', password: 'long-enough', blocked: true }, ['blocked']],
    ['a password hash', { email: 'h@example.org', password: 'long-enough', password_hash: 'pbkdf2-sha256$1$a$b' }, ['password_hash']],
    ['two problems at once', { email: 'x', password: 'x' }, ['email', 'password']],
  ])('refuses %s with 400 and the field paths', async (_name, body, paths) => {
    await expectInvalidFields(await management('POST', '/users', body), paths);
  });

  it.each([
    ['malformed JSON', '{"email": "a@example.org", "password": ', {}],
    ['a form body', 'email=a%40example.org&password=long-enough', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), {}],
    ['an oversized password', JSON.stringify({ email: 'big@example.org', password: 'p'.repeat(20_000) }), {}],
    ['a password past the hashing bound', JSON.stringify({ email: 'long@example.org', password: 'p'.repeat(1025) }), {}],
  ])('answers %s with a 4xx, never a 5xx', async (_name, body, headers) => {
    const response = await management('POST', '/users', body, undefined, headers);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('GET /api/v1/users', () => {
  it('lists users page by page without any password hash, and finds one by email in any case', async () => {
    const created = [await createUser(), await createUser({ name: 'Grace' })];
    const first = await ok<Page<UserJson>>(await management('GET', '/users?per_page=1'));
    expect(first).toMatchObject({ page: 0, per_page: 1 });
    expect(first.total).toBeGreaterThanOrEqual(3);
    const all = await listAll<UserJson>('/users', 1);
    expect(all).toHaveLength(first.total);
    expect(all.map((u) => u.email)).toEqual(expect.arrayContaining(['demo@example.com', ...created.map((u) => u.email)]));
    for (const user of all) expect(Object.keys(user).sort()).toEqual(USER_KEYS);
    expect(JSON.stringify(all)).not.toMatch(/pbkdf2|password/);

    const found = await ok<Page<UserJson>>(await management('GET', `/users?email=${encodeURIComponent(created[1]!.email.toUpperCase())}`));
    expect(found).toMatchObject({ total: 1, items: [{ id: created[1]!.id, name: 'Grace' }] });
    expect(await ok(await management('GET', '/users?email=nobody%40example.org'))).toMatchObject({ items: [], total: 0 });
  });

  it('lists the accounts waiting for email verification with ?email_verified=false', async () => {
    const [pending, confirmed] = [await createUser({ email_verified: false }), await createUser({ email_verified: true })];
    const waiting = await listAll<UserJson>('/users?email_verified=false', 100);
    expect(waiting.every((user) => !user.email_verified)).toBe(true);
    expect(waiting.map((u) => u.id)).toContain(pending.id);
    expect(waiting.map((u) => u.id)).not.toContain(confirmed.id);
    const byEmail = await ok<Page<UserJson>>(await management('GET', `/users?email_verified=true&email=${encodeURIComponent(pending.email)}`));
    expect(byEmail.total).toBe(0);
  });

  it.each(['page=one', 'per_page=0', 'email_verified=yes'])('refuses ?%s with 400', async (query) => {
    await expectInvalidFields(await management('GET', `/users?${query}`), [query.split('=')[0]!]);
  });
});

describe('GET, PATCH and DELETE /api/v1/users/:id', () => {
  it('reads a user, and answers 404 for an unknown one', async () => {
    const { password: _password, ...user } = await createUser();
    expect(await ok(await management('GET', `/users/${user.id}`))).toEqual({ ...user, identities: [] });
    await expectApiError(await management('GET', '/users/user_nobody'), 404, 'not_found');
    await expectApiError(await management('PATCH', '/users/user_nobody', { blocked: true }), 404, 'not_found');
    await expectApiError(await management('DELETE', '/users/user_nobody'), 404, 'not_found');
  });

  it('changes only the fields sent', async () => {
    const { password: _password, ...user } = await createUser({ name: 'Before' });
    const patched = await ok<UserJson>(await management('PATCH', `/users/${user.id}`, { name: 'After', email_verified: true }));
    expect(patched).toMatchObject({ ...user, name: 'After', email_verified: true, updated_at: expect.any(String) });
    const cleared = await ok<UserJson>(await management('PATCH', `/users/${user.id}`, { name: null }));
    expect(cleared).toMatchObject({ name: null, email_verified: true, blocked: false });
  });

  it.each([
    ['the email, which cannot change', { email: 'new@example.org' }, ['email']],
    ['a short password', { password: 'short' }, ['password']],
    ['blocked as a string', { blocked: 'true' }, ['blocked']],
    ['an unknown field', { role: 'admin' }, ['role']],
  ])('refuses %s with 400 and changes nothing', async (_name, body, paths) => {
    const { password: _password, ...user } = await createUser();
    const hash = await storedHash(user.id);
    await expectInvalidFields(await management('PATCH', `/users/${user.id}`, body), paths);
    expect(await ok(await management('GET', `/users/${user.id}`))).toEqual({ ...user, identities: [] });
    expect(await storedHash(user.id)).toBe(hash);
  });

  it('blocks a user: sign-in fails with the generic message, refresh and single sign-on stop; unblocking restores sign-in', async () => {
    const user = await createUser();
    const signedIn = await signInForTokens({ scope: 'openid offline_access read:items' }, { ...user, ip: freshIp() });
    // One refresh first, so the isolate has cached the user as active: blocking must forget it.
    const tokens = { ...signedIn, ...(await expectTokenResponse(await refresh(signedIn.refresh_token!))) };

    const blocked = await ok<UserJson>(await management('PATCH', `/users/${user.id}`, { blocked: true }));
    expect(blocked.blocked).toBe(true);
    await expectSignInRefused(user.email, user.password);
    const refused = await expectOAuthError(await refresh(tokens.refresh_token!), 400, 'invalid_grant');
    expect(refused.error_description).not.toContain(user.email);
    // The browser's session no longer skips the login page.
    const { params } = await defaultAuthorization();
    const resumed = await call(authorizePath(params), { headers: { Cookie: tokens.sessionCookie } });
    expect(resumed.status).toBe(302);
    expect(resumed.headers.get('Location')).toBe('/login');

    const unblocked = await ok<UserJson>(await management('PATCH', `/users/${user.id}`, { blocked: false }));
    expect(unblocked.blocked).toBe(false);
    await expectSignIn(user.email, user.password);
  });

  it('sets a password: the old one stops working, the new one works', async () => {
    const user = await createUser();
    const before = await storedHash(user.id);
    await ok(await management('PATCH', `/users/${user.id}`, { password: 'a brand new password' }));
    expect(await storedHash(user.id)).not.toBe(before);
    await expectSignInRefused(user.email, user.password);
    await expectSignIn(user.email, 'a brand new password');
  });

  it('deletes a user (204, then 404): sign-in and refresh stop, and the email is free again', async () => {
    const user = await createUser();
    const tokens = await signInForTokens({ scope: 'openid offline_access read:items' }, { ...user, ip: freshIp() });
    const response = await management('DELETE', `/users/${user.id}`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    await expectApiError(await management('GET', `/users/${user.id}`), 404, 'not_found');
    await expectApiError(await management('DELETE', `/users/${user.id}`), 404, 'not_found');
    await expectSignInRefused(user.email, user.password);
    await expectOAuthError(await refresh(tokens.refresh_token!), 400, 'invalid_grant');
    const reborn = await createUser({ email: user.email, password: 'different-password' });
    expect(reborn.id).not.toBe(user.id);
    await expectSignIn(user.email, 'different-password');
  });
});
