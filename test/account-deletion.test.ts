/**
 * Account deletion (from the account page, by a first-party app's token, by an operator) removes
 * every stored trace of the user, and keeps only a pseudonymous audit record; the data export
 * carries each kind of data edge-auth holds.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { userStore, type UserStore } from '../src/durable-objects/user-store';
import { DEMO_CLAIMED_REDIRECT, PARTNER } from './helpers/fixtures';
import { expectCodeRedirect } from './helpers/assertions';
import { authorizeWith, redeemForTokens, refresh, signInForTokens, submitConsent, reachConsent } from './helpers/flow';
import { call, cookieFrom, form, SESSION_COOKIE } from './helpers/http';
import { management, ok, waitForAudit } from './helpers/management';
import { changeSession, insertUsers } from './helpers/storage';
import { freshIp, unique } from './helpers/values';

const PASSWORD = 'deletion-test-password';
let email: string;
let userId: string;

beforeEach(async () => {
  email = `delete-${unique()}@example.com`;
  userId = `user_${email.replace(/[^a-z0-9]/g, '_')}`;
  await insertUsers({ [email]: PASSWORD });
});

const post = (path: string, fields: Record<string, string>, cookie = '') =>
  call(path, form(fields, { headers: { Cookie: cookie, 'CF-Connecting-IP': freshIp() } }));

async function accountSession(): Promise<string> {
  const answered = await post('/account/sign-in', { email, password: PASSWORD });
  expect(answered.status).toBe(303);
  return cookieFrom(answered, SESSION_COOKIE);
}

/** Every key the user's object stores. */
const objectKeys = (id: string) => runInDurableObject(userStore(env, id), (_instance: UserStore, state) => [...state.storage.kv.list()].map(([key]) => key));

/** Nothing of the user is left: no D1 row, nothing in the object, and their tokens and sign-in fail. */
async function expectGone(id: string, refreshToken: string): Promise<void> {
  expect(await env.DB.prepare('SELECT id FROM users WHERE id = ? OR email = ?').bind(id, email).first()).toBeNull();
  expect(await objectKeys(id)).toEqual([]);
  expect((await refresh(refreshToken)).status).toBe(400);
  expect((await post('/account/sign-in', { email, password: PASSWORD })).status).toBe(401);
}

/** The audit log says the account was deleted, under the user id, and names no email anywhere. */
async function expectPseudonymousRecord(id: string, by: string): Promise<void> {
  const [record] = await waitForAudit(`user_id=${id}&event=account_deleted`, (items) => items.length === 1);
  expect(record!.detail).toMatchObject({ by });
  const everything = await env.DB.prepare('SELECT * FROM audit_events WHERE user_id = ?').bind(id).all();
  expect(JSON.stringify(everything.results)).not.toContain('@');
}

describe('deleting the account from the account page', () => {
  it('asks for the password, then removes the row, the object and every token; the audit log keeps a record without the email', async () => {
    const tokens = await signInForTokens({ scope: 'openid offline_access read:items' }, { email, password: PASSWORD });
    const cookie = await accountSession();
    const page = await (await call('/account', { headers: { Cookie: cookie } })).text();
    expect(page).toContain('Delete my account');

    const wrong = await post('/account/delete', { current_password: 'guess' }, cookie);
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('id="delete-problem"');
    expect(await env.DB.prepare('SELECT id FROM users WHERE id = ?').bind(userId).first()).not.toBeNull();

    const deleted = await post('/account/delete', { current_password: PASSWORD }, cookie);
    expect(deleted.status).toBe(200);
    expect(await deleted.text()).toContain('Your account was deleted');
    await expectGone(userId, tokens.refresh_token!);
    expect((await call('/userinfo', { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).toBe(401);
    await expectPseudonymousRecord(userId, 'user');
  });
});

describe('DELETE /account with the app\'s access token', () => {
  const scope = 'openid offline_access delete:account';

  it('needs the delete:account scope', async () => {
    const tokens = await signInForTokens({ scope: 'openid offline_access' }, { email, password: PASSWORD });
    const refused = await call('/account', { method: 'DELETE', headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('WWW-Authenticate')).toContain('error="insufficient_scope"');
    expect(await env.DB.prepare('SELECT id FROM users WHERE id = ?').bind(userId).first()).not.toBeNull();
  });

  it('needs a recent sign-in: an older one answers insufficient_user_authentication with max_age (RFC 9470)', async () => {
    const first = await signInForTokens({ scope }, { email, password: PASSWORD });
    await changeSession(first.sessionCookie.slice(`${SESSION_COOKIE}=`.length).split('.').slice(0, 2).join('.'), (s) => ({ ...s, authTime: s.authTime - 3600 }));
    // Single sign-on at the claimed redirect: the new token carries the session's old auth_time.
    const { params, verifier, response } = await authorizeWith(first.sessionCookie, { scope, redirect_uri: DEMO_CLAIMED_REDIRECT });
    const issued = expectCodeRedirect(response, verifier, params.state!, DEMO_CLAIMED_REDIRECT);
    const stale = await redeemForTokens(issued);
    const refused = await call('/account', { method: 'DELETE', headers: { Authorization: `Bearer ${stale.access_token}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'insufficient_user_authentication' });
    expect(refused.headers.get('WWW-Authenticate')).toContain('max_age=600');
    expect(refused.headers.get('Cache-Control')).toBe('no-store');
    expect(await env.DB.prepare('SELECT id FROM users WHERE id = ?').bind(userId).first()).not.toBeNull();
  });

  it('deletes the account right after a sign-in, with the same effect as the account page', async () => {
    const tokens = await signInForTokens({ scope }, { email, password: PASSWORD });
    const deleted = await call('/account', { method: 'DELETE', headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(deleted.status).toBe(204);
    await expectGone(userId, tokens.refresh_token!);
    await expectPseudonymousRecord(userId, 'user');
    // The token died with the account.
    expect((await call('/account', { method: 'DELETE', headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).toBe(401);
  });
});

describe('an operator deleting the user', () => {
  it('has the same effect (Management API)', async () => {
    const tokens = await signInForTokens({ scope: 'openid offline_access' }, { email, password: PASSWORD });
    expect((await management('DELETE', `/users/${userId}`)).status).toBe(204);
    await expectGone(userId, tokens.refresh_token!);
    await expectPseudonymousRecord(userId, 'operator');
  });
});

describe('the data export', () => {
  it('carries the profile, sessions, grants, consents and audit events, and no hash', async () => {
    const consent = await reachConsent(email, PASSWORD, { ...PARTNER });
    expect((await submitConsent(consent, 'allow')).status).toBe(303);
    await signInForTokens({ scope: 'openid offline_access read:items' }, { email, password: PASSWORD });
    await waitForAudit(`user_id=${userId}`, (items) => items.some((event) => event.event === 'login_succeeded'));
    const cookie = await accountSession();
    const download = await call('/account/export', { headers: { Cookie: cookie } });
    expect(download.status).toBe(200);
    expect(download.headers.get('Content-Disposition')).toContain('attachment');
    expect(download.headers.get('Cache-Control')).toBe('no-store');
    const data = (await download.json()) as Record<string, unknown[]> & { user: { id: string; email: string } };
    expect(data.user).toMatchObject({ id: userId, email });
    expect(data.sessions!.length).toBeGreaterThanOrEqual(2);
    expect(data.grants!.length).toBeGreaterThanOrEqual(1);
    expect(data.consents).toContainEqual({ client_id: 'partner-app', audience: 'https://api.example.com', scopes: expect.arrayContaining(['read:items']) });
    expect(data.audit_events!.some((event) => (event as { event: string }).event === 'login_succeeded')).toBe(true);
    expect(data).toMatchObject({ identities: [], passkeys: [] });
    expect(JSON.stringify(data)).not.toMatch(/pbkdf2|scrypt|secret|hash/i);

    // The operator's export is the same document.
    const operator = await ok<typeof data>(await management('GET', `/users/${userId}/export`));
    expect({ ...operator, exported_at: '' }).toEqual({ ...data, exported_at: '' });
  });

  it('needs a session', async () => {
    const anonymous = await call('/account/export');
    expect(anonymous.status).toBe(200);
    expect(await anonymous.text()).toContain('Sign in again');
  });
});
