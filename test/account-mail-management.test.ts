/**
 * Account mail on an operator's request (POST /api/v1/users/:id/password-reset-mail and
 * /verification-mail) and the verification link it sends (src/routes/verify-email.ts): single use,
 * bound to the address, refused once expired.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { seal } from '../src/crypto/seal';
import { getSealingKey } from '../src/tokens/key-cache';
import { expectPageHeaders } from './helpers/assertions';
import { call, form } from './helpers/http';
import { linkIn, mailTo } from './helpers/mailbox';
import { expectApiError, management, managementToken, ok, scopesWithout } from './helpers/management';
import { insertUsers } from './helpers/storage';
import { unique } from './helpers/values';

async function unverifiedUser(): Promise<{ email: string; id: string }> {
  const email = `verify-${unique()}@example.com`;
  await insertUsers({ [email]: 'some long password' });
  const id = `user_${email.replace(/[^a-z0-9]/g, '_')}`;
  await env.DB.prepare('UPDATE users SET email_verified = 0 WHERE id = ?').bind(id).run();
  return { email, id };
}

const verified = async (id: string) => (await env.DB.prepare('SELECT email_verified FROM users WHERE id = ?').bind(id).first<{ email_verified: number }>())!.email_verified === 1;

async function verifyToken(email: string): Promise<string> {
  return (await linkIn(email, '/verify-email')).searchParams.get('token')!;
}

describe('POST /api/v1/users/:id/verification-mail', () => {
  it('mails a link that verifies the address once, after a button press; the user then reads email_verified: true', async () => {
    const { email, id } = await unverifiedUser();
    expect(await ok(await management('POST', `/users/${id}/verification-mail`, {}), 202)).toEqual({ sent: true, kind: 'verify_email' });
    const token = await verifyToken(email);
    const page = await call(`/verify-email?token=${token}`);
    expect(page.status).toBe(200);
    expectPageHeaders(page);
    expect(await verified(id)).toBe(false);
    const done = await call('/verify-email', form({ token }));
    expect(done.status).toBe(200);
    expect(await verified(id)).toBe(true);
    expect((await ok<{ email_verified: boolean }>(await management('GET', `/users/${id}`))).email_verified).toBe(true);
    expect((await call('/verify-email', form({ token }))).status).toBe(400);
  });

  it('is refused for a verified address, an unknown user, and without update:users', async () => {
    const { id } = await unverifiedUser();
    await expectApiError(await management('POST', '/users/user_demo/verification-mail', {}), 409, 'conflict');
    await expectApiError(await management('POST', '/users/user_nobody/verification-mail', {}), 404, 'not_found');
    const token = await managementToken(scopesWithout('update:users'));
    const refused = await call(`/api/v1/users/${id}/verification-mail`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(403);
  });

  it('a link for an address the account no longer has, or an expired one, is refused', async () => {
    const { email, id } = await unverifiedUser();
    await ok(await management('POST', `/users/${id}/verification-mail`, {}), 202);
    const token = await verifyToken(email);
    await env.DB.prepare('UPDATE users SET email = ? WHERE id = ?').bind(`moved-${unique()}@example.com`, id).run();
    expect((await call('/verify-email', form({ token }))).status).toBe(400);
    const expired = await seal(await getSealingKey(env), 'edge-auth/verify-link/v1', { userId: id, email, expiresAt: Date.now() - 1 });
    expect((await call(`/verify-email?token=${expired}`)).status).toBe(400);
    expect(await verified(id)).toBe(false);
  });
});

describe('POST /api/v1/users/:id/password-reset-mail', () => {
  it('mails the user a working reset link', async () => {
    const { email, id } = await unverifiedUser();
    expect(await ok(await management('POST', `/users/${id}/password-reset-mail`, {}), 202)).toEqual({ sent: true, kind: 'reset_password' });
    const [mail] = await mailTo(email);
    expect(mail!.subject).toBe('Reset your password');
    const token = (await linkIn(email, '/reset')).searchParams.get('token')!;
    expect((await call('/reset', form({ token, password: 'a fresh passphrase here' }))).status).toBe(200);
  });

  it('is refused for a blocked user', async () => {
    const { id } = await unverifiedUser();
    await env.DB.prepare('UPDATE users SET blocked = 1 WHERE id = ?').bind(id).run();
    await expectApiError(await management('POST', `/users/${id}/password-reset-mail`, {}), 409, 'conflict');
  });
});
