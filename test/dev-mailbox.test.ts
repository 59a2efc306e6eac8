/**
 * The dev mailbox (src/routes/dev-mailbox.ts) and the outbox (src/mail/outbox.ts): mail is kept
 * for reading only where no deployment can be, and a send that fails is logged, never dropped
 * silently.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import worker from '../src/dev-worker';
import deployed from '../src/index';
import { ISSUER } from './helpers/fixtures';
import { call, form } from './helpers/http';
import { mailTo } from './helpers/mailbox';
import { insertUsers } from './helpers/storage';
import { freshIp, unique } from './helpers/values';

async function callWith(vars: Record<string, unknown>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(new URL(path, typeof vars.ISSUER === 'string' ? vars.ISSUER : ISSUER), init), { ...env, ...vars } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe('/dev/mailbox', () => {
  it('is not in the deployed script at all: a JSON 404 even where the dev worker would show it', async () => {
    const ctx = createExecutionContext();
    const response = await deployed.fetch(new Request(new URL('/dev/mailbox', ISSUER)), { ...env, DEV_MAILBOX: 'true' } as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(404);
    expect(await callWith({ DEV_MAILBOX: 'true' }, '/dev/mailbox').then((shown) => shown.status)).toBe(200);
  });

  it('is a JSON 404 on a deployment, even with DEV_MAILBOX set there by mistake', async () => {
    for (const vars of [{ DEV_MAILBOX: 'true', ISSUER: 'https://auth.example.com' }, { DEV_MAILBOX: 'false' }]) {
      const response = await callWith(vars, '/dev/mailbox');
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'not_found', error_description: 'No such endpoint.' });
    }
  });

  it('shows the mail with the page security headers, links clickable, filtered by address', async () => {
    const email = `mailbox-${unique()}@example.com`;
    await insertUsers({ [email]: 'some long password' });
    await call('/forgot', form({ email }, { headers: { 'CF-Connecting-IP': freshIp() } }));
    const response = await call(`/dev/mailbox?to=${encodeURIComponent(email)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    const page = await response.text();
    expect(page).toContain(`<a href="${ISSUER}/reset?token=`);
    const [mail] = await mailTo(email);
    expect(mail!.subject).toBe('Reset your password');
    expect(await mailTo(`other-${unique()}@example.com`)).toEqual([]);
  });
});

describe('a failed send', () => {
  it('is logged without the link and marked failed in the dev mailbox', async () => {
    const email = `failing-${unique()}@example.com`;
    await insertUsers({ [email]: 'some long password' });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const failing = { send: () => Promise.reject(new Error('mail service unavailable')) };
      const response = await callWith({ EMAIL: failing }, '/forgot', form({ email }, { headers: { 'CF-Connecting-IP': freshIp() } }));
      expect(response.status).toBe(200);
      const logged = errors.mock.calls.map((args) => String(args[0])).filter((line) => line.includes('mail_failed'));
      expect(logged).toHaveLength(1);
      expect(JSON.parse(logged[0]!)).toEqual({ level: 'error', event: 'mail_failed', kind: 'reset_password', reason: 'mail service unavailable' });
      expect(logged[0]).not.toContain('token');
    } finally {
      errors.mockRestore();
    }
    expect(await (await call(`/dev/mailbox?to=${encodeURIComponent(email)}`)).text()).toContain('the send FAILED');
  });

  it('without the EMAIL binding is a logged failure too, not a skipped send', async () => {
    const email = `unbound-${unique()}@example.com`;
    await insertUsers({ [email]: 'some long password' });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await callWith({ EMAIL: undefined }, '/forgot', form({ email }, { headers: { 'CF-Connecting-IP': freshIp() } }));
      expect(errors.mock.calls.some((args) => String(args[0]).includes('the EMAIL send_email binding is missing'))).toBe(true);
    } finally {
      errors.mockRestore();
    }
  });
});
