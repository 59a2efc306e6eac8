/**
 * Forgotten password (src/routes/password-reset.ts): the same answer for known and unknown
 * addresses, a sealed link that expires, works once and is bound to the password it was issued
 * for, and a reset that ends every session and revokes every refresh token.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { seal } from '../src/crypto/seal';
import { getSealingKey } from '../src/tokens/key-cache';
import { expectPageHeaders, withoutNonce } from './helpers/assertions';
import { authorizeWith, refresh, signIn, signInForTokens } from './helpers/flow';
import { call, form } from './helpers/http';
import { linkIn, mailTo } from './helpers/mailbox';
import { insertUsers, readAccount } from './helpers/storage';
import { freshIp, unique } from './helpers/values';

const OLD = 'old password of mine';
const NEW = 'a brand new passphrase';

async function newAccount(): Promise<{ email: string; userId: string }> {
  const email = `reset-${unique()}@example.com`;
  await insertUsers({ [email]: OLD });
  return { email, userId: `user_${email.replace(/[^a-z0-9]/g, '_')}` };
}

const forgot = (email: string, ip = freshIp()) => call('/forgot', form({ email }, { headers: { 'CF-Connecting-IP': ip } }));
const reset = (token: string, password: string) => call('/reset', form({ token, password }));

async function resetToken(email: string): Promise<string> {
  expect((await forgot(email)).status).toBe(200);
  return (await linkIn(email, '/reset')).searchParams.get('token')!;
}

describe('asking for a reset', () => {
  it('the form needs no pending request and has the page security headers', async () => {
    const response = await call('/forgot');
    expect(response.status).toBe(200);
    expectPageHeaders(response);
  });

  it('answers known and unknown addresses with the same status and page; only the known one gets mail', async () => {
    const { email } = await newAccount();
    const unknownEmail = `nobody-${unique()}@example.com`;
    const known = await forgot(email);
    const unknown = await forgot(unknownEmail);
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const scrub = (text: string, address: string) => withoutNonce(text).replaceAll(address, 'EMAIL');
    expect(scrub(await known.text(), email)).toBe(scrub(await unknown.text(), unknownEmail));
    expect(await mailTo(unknownEmail)).toEqual([]);
    const [mail] = await mailTo(email);
    expect(mail!.subject).toBe('Reset your password');
    expect(mail!.text).toContain('30 minutes');
  });

  it('a blocked account gets the same page and no mail', async () => {
    const { email, userId } = await newAccount();
    await env.DB.prepare('UPDATE users SET blocked = 1 WHERE id = ?').bind(userId).run();
    expect((await forgot(email)).status).toBe(200);
    expect(await mailTo(email)).toEqual([]);
  });

  it('limits mail per address (3 a minute) whether or not it has an account', async () => {
    const { email } = await newAccount();
    const unknownEmail = `nobody-${unique()}@example.com`;
    for (const address of [email, unknownEmail]) {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await forgot(address)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    }
  });

  it('refuses a post from another site', async () => {
    const response = await call('/forgot', form({ email: 'demo@example.com' }, { headers: { Origin: 'https://evil.example' } }));
    expect(response.status).toBe(403);
  });
});

describe('the reset link', () => {
  it('sets the new password, ends every session and revokes every refresh token; the old password and token stop working', async () => {
    const { email, userId } = await newAccount();
    const before = await signInForTokens({ scope: 'openid offline_access read:items' }, { email, password: OLD });
    expect(before.refresh_token).toBeTruthy();

    const token = await resetToken(email);
    const form = await call(`/reset?token=${token}`);
    expect(form.status).toBe(200);
    expectPageHeaders(form);
    const done = await reset(token, NEW);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('signed out on every device');

    expect((await refresh(before.refresh_token!)).status).toBe(400);
    expect(Object.keys((await readAccount(userId))?.sessions ?? {})).toEqual([]);
    // The session cookie of the earlier sign-in no longer signs in silently.
    const silent = await authorizeWith(before.sessionCookie, { prompt: 'none' });
    expect(silent.response.headers.get('Location')).toContain('error=login_required');
    await signIn({}, { email, password: NEW });
    const old = await signIn({}, { email, password: OLD }).catch(() => 'refused');
    expect(old).toBe('refused');
  });

  it('works once: the second use is refused', async () => {
    const { email } = await newAccount();
    const token = await resetToken(email);
    expect((await reset(token, NEW)).status).toBe(200);
    const again = await reset(token, 'yet another passphrase');
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('Ask for a new one');
    expect((await call(`/reset?token=${token}`)).status).toBe(400);
  });

  it('a link issued before a password change (superseded) is refused', async () => {
    const { email } = await newAccount();
    const first = await resetToken(email);
    const second = await resetToken(email);
    expect((await reset(second, NEW)).status).toBe(200);
    expect((await reset(first, 'yet another passphrase')).status).toBe(400);
  });

  it('an expired link is refused', async () => {
    const { userId } = await newAccount();
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(userId).first<{ password_hash: string }>();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(row!.password_hash)));
    const binding = btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const live = await seal(await getSealingKey(env), 'edge-auth/reset-link/v1', { userId, passwordBinding: binding, expiresAt: Date.now() + 60_000 });
    const expired = await seal(await getSealingKey(env), 'edge-auth/reset-link/v1', { userId, passwordBinding: binding, expiresAt: Date.now() - 1 });
    // The same link one minute from expiry works, which shows the binding above is right.
    expect((await call(`/reset?token=${live}`)).status).toBe(200);
    expect((await call(`/reset?token=${expired}`)).status).toBe(400);
    expect((await reset(expired, NEW)).status).toBe(400);
  });

  it('refuses a weak new password next to the field and keeps the link usable', async () => {
    const { email } = await newAccount();
    const token = await resetToken(email);
    const weak = await reset(token, 'password1');
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('This password is too common.');
    expect((await reset(token, NEW)).status).toBe(200);
  });
});
