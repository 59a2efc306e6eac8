/**
 * The signed-in account page (src/routes/account.ts, account-changes.ts): its own sign-in, change
 * password (current one first; ends every session and grant), change email (the new address
 * confirmed by a sealed link first, a notice to the old one, nothing revealed about the new one),
 * sign out everywhere, and the confirmation mail for an unconfirmed address.
 */
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { seal } from '../src/crypto/seal';
import { passwordBinding } from '../src/interaction/account-links';
import { getSealingKey } from '../src/tokens/key-cache';
import { expectPageHeaders } from './helpers/assertions';
import { refresh, signInForTokens } from './helpers/flow';
import { call, cookieFrom, form, SESSION_COOKIE } from './helpers/http';
import { linkIn, mailTo } from './helpers/mailbox';
import { insertUsers } from './helpers/storage';
import { freshIp, unique } from './helpers/values';

const PASSWORD = 'account-page-password';
const NEW_PASSWORD = 'a brand new passphrase';

let email: string;

beforeEach(async () => {
  email = `account-${unique()}@example.com`;
  await insertUsers({ [email]: PASSWORD });
});

const post = (path: string, fields: Record<string, string>, cookie = '', headers: Record<string, string> = {}) =>
  call(path, form(fields, { headers: { Cookie: cookie, 'CF-Connecting-IP': freshIp(), ...headers } }));

/** Signs in on the account page itself: the session cookie. */
async function accountSession(address = email, password = PASSWORD): Promise<string> {
  const answered = await post('/account/sign-in', { email: address, password });
  expect(answered.status).toBe(303);
  expect(answered.headers.get('Location')).toBe('/account?done=signed_in');
  return cookieFrom(answered, SESSION_COOKIE);
}

const accountPage = async (cookie: string) => (await call('/account', { headers: { Cookie: cookie } })).text();
const storedEmail = async (id: string) => (await env.DB.prepare('SELECT email, email_verified FROM users WHERE id = ?').bind(id).first()) as { email: string; email_verified: number };
const userIdOf = (address: string) => `user_${address.replace(/[^a-z0-9]/g, '_')}`;

describe('the account page', () => {
  it('without a session shows its own sign-in form, with the page headers', async () => {
    const response = await call('/account');
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    const page = await response.text();
    expect(page).toContain('action="/account/sign-in"');
    expect(page).not.toContain('Change password');
  });

  it('signs in with the password, the same answer for a wrong password and an unknown address', async () => {
    const wrong = await post('/account/sign-in', { email, password: 'not the password' });
    const unknown = await post('/account/sign-in', { email: `nobody-${unique()}@example.com`, password: PASSWORD });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    for (const page of [await wrong.text(), await unknown.text()]) expect(page).toContain('Incorrect email or password.');
    expect(wrong.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);

    const page = await accountPage(await accountSession());
    expect(page).toContain(`Signed in as <strong>${email}</strong>`);
    expect(page).toContain('Change password');
  });

  it('the single sign-on session of an app sign-in opens it too', async () => {
    const { sessionCookie } = await signInForTokens({}, { email, password: PASSWORD });
    expect(await accountPage(sessionCookie)).toContain(`Signed in as <strong>${email}</strong>`);
  });

  it('refuses a form from another site, and a form without a session gets the sign-in form', async () => {
    const cookie = await accountSession();
    const foreign = await post('/account/sign-out-everywhere', {}, cookie, { Origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await accountPage(cookie)).toContain('Change password');
    const anonymous = await post('/account/password', { current_password: PASSWORD, new_password: NEW_PASSWORD });
    expect(anonymous.status).toBe(200);
    expect(await anonymous.text()).toContain('Your session ended');
  });
});

describe('change password', () => {
  it('asks for the current password, then ends every session and refresh token; the new one signs in', async () => {
    const tokens = await signInForTokens({ scope: 'openid offline_access read:items' }, { email, password: PASSWORD });
    const cookie = await accountSession();

    const wrong = await post('/account/password', { current_password: 'guess', new_password: NEW_PASSWORD }, cookie);
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Your current password is not right.');
    const weak = await post('/account/password', { current_password: PASSWORD, new_password: 'password' }, cookie);
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('id="new_password-problem"');

    const changed = await post('/account/password', { current_password: PASSWORD, new_password: NEW_PASSWORD }, cookie);
    expect(changed.status).toBe(200);
    expect(await changed.text()).toContain('Your password was changed');
    expect(await accountPage(cookie)).not.toContain('Change password');
    expect(await accountPage(tokens.sessionCookie)).not.toContain('Change password');
    expect((await refresh(tokens.refresh_token!)).status).toBe(400);
    expect((await post('/account/sign-in', { email, password: PASSWORD })).status).toBe(401);
    await accountSession(email, NEW_PASSWORD);
  });
});

describe('change email', () => {
  it('confirms the new address by a link first, tells the old one, and works once', async () => {
    const cookie = await accountSession();
    const to = `moved-${unique()}@example.com`;
    const wrong = await post('/account/email', { new_email: to, current_password: 'guess' }, cookie);
    expect(wrong.status).toBe(401);
    expect(await mailTo(to)).toHaveLength(0);

    const asked = await post('/account/email', { new_email: to, current_password: PASSWORD }, cookie);
    expect(asked.status).toBe(303);
    expect(asked.headers.get('Location')).toBe('/account?done=email_sent');
    const [notice] = await mailTo(email);
    expect(notice!.subject).toBe('Your email address is about to change');
    expect(notice!.text).toContain(to);
    expect((await storedEmail(userIdOf(email))).email).toBe(email);

    const link = await linkIn(to, '/account/email/confirm');
    const opened = await call(`${link.pathname}${link.search}`);
    expect(opened.status).toBe(200);
    const token = /name="token" value="([^"]+)"/.exec(await opened.text())![1]!;
    expect((await storedEmail(userIdOf(email))).email).toBe(email);

    const confirmed = await post('/account/email/confirm', { token });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('Location')).toBe('/account?done=email_changed');
    expect(await storedEmail(userIdOf(email))).toEqual({ email: to, email_verified: 1 });
    expect((await post('/account/email/confirm', { token })).status).toBe(400);
    await accountSession(to, PASSWORD);
  });

  it('for an address that has an account: the same answer, a "you already have an account" mail, and no change', async () => {
    const other = `taken-${unique()}@example.com`;
    await insertUsers({ [other]: 'someone else entirely' });
    const cookie = await accountSession();
    const asked = await post('/account/email', { new_email: other, current_password: PASSWORD }, cookie);
    expect(asked.status).toBe(303);
    expect(asked.headers.get('Location')).toBe('/account?done=email_sent');
    const [mail] = await mailTo(other);
    expect(mail!.subject).toBe('You already have an account');
    expect((await storedEmail(userIdOf(email))).email).toBe(email);
  });

  it('a password change since the link was sent cancels it', async () => {
    const cookie = await accountSession();
    const to = `cancelled-${unique()}@example.com`;
    await post('/account/email', { new_email: to, current_password: PASSWORD }, cookie);
    const link = await linkIn(to, '/account/email/confirm');
    await post('/account/password', { current_password: PASSWORD, new_password: NEW_PASSWORD }, cookie);
    const confirmed = await post('/account/email/confirm', { token: link.searchParams.get('token')! });
    expect(confirmed.status).toBe(400);
    expect((await storedEmail(userIdOf(email))).email).toBe(email);
  });

  it('an expired link, or one sealed for another purpose, changes nothing', async () => {
    const id = userIdOf(email);
    const { passwordHash } = (await env.DB.prepare('SELECT password_hash AS passwordHash FROM users WHERE id = ?').bind(id).first()) as { passwordHash: string };
    const link = { userId: id, from: email, to: `late-${unique()}@example.com`, passwordBinding: await passwordBinding(passwordHash) };
    const key = await getSealingKey(env);
    const expired = await seal(key, 'edge-auth/email-change-link/v1', { ...link, expiresAt: Date.now() - 1 });
    const foreign = await seal(key, 'edge-auth/verify-link/v1', { ...link, expiresAt: Date.now() + 60_000 });
    const live = await seal(key, 'edge-auth/email-change-link/v1', { ...link, expiresAt: Date.now() + 60_000 });
    for (const token of [expired, foreign]) {
      expect((await call(`/account/email/confirm?token=${token}`)).status).toBe(400);
      expect((await post('/account/email/confirm', { token })).status).toBe(400);
    }
    expect((await storedEmail(id)).email).toBe(email);
    // The same link, live: the refusals above were for the expiry and the purpose.
    expect((await post('/account/email/confirm', { token: live })).status).toBe(303);
    expect((await storedEmail(id)).email).toBe(link.to);
  });

  it('refuses a malformed address and the current one', async () => {
    const cookie = await accountSession();
    expect((await post('/account/email', { new_email: 'not-an-address', current_password: PASSWORD }, cookie)).status).toBe(400);
    expect((await post('/account/email', { new_email: email.toUpperCase(), current_password: PASSWORD }, cookie)).status).toBe(400);
  });
});

describe('sign out everywhere', () => {
  it('ends every session and revokes the refresh tokens', async () => {
    const tokens = await signInForTokens({ scope: 'openid offline_access read:items' }, { email, password: PASSWORD });
    const cookie = await accountSession();
    const answered = await post('/account/sign-out-everywhere', {}, cookie);
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('signed out on every device');
    expect(await accountPage(cookie)).not.toContain('Change password');
    expect(await accountPage(tokens.sessionCookie)).not.toContain('Change password');
    expect((await refresh(tokens.refresh_token!)).status).toBe(400);
  });
});

describe('an unconfirmed address', () => {
  it('offers a confirmation link, sent at once', async () => {
    await env.DB.prepare('UPDATE users SET email_verified = 0 WHERE id = ?').bind(userIdOf(email)).run();
    const cookie = await accountSession();
    expect(await accountPage(cookie)).toContain('not confirmed yet');
    const sent = await post('/account/verification-mail', {}, cookie);
    expect(sent.status).toBe(303);
    expect(sent.headers.get('Location')).toBe('/account?done=verification_sent');
    await linkIn(email, '/verify-email');
  });
});
