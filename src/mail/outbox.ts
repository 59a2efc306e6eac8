import type { Config } from '../config';
import type { MailMessage } from '../views/mail';
import { keepMail, type KeptMail } from './dev-mailbox';

/**
 * Sends an account mail through Cloudflare Email Service (the `send_email` binding EMAIL), after
 * the response: the page never waits on the mail service, and a page that must not reveal whether
 * an address has an account answers in the same time whether it sends or not. A failed send is
 * logged (never the body: it carries a one-time link) and marked in the dev mailbox; nothing is
 * dropped silently, and a missing binding is a logged failure, not a skipped send.
 */
export function sendMail(env: Env, config: Config, message: MailMessage, defer: (promise: Promise<unknown>) => void): void {
  defer(sendMailNow(env, config, message));
}

/**
 * Sends while the person waits, for pages that can say the send failed ("try again") because the
 * answer reveals nothing: the person is signed in, or asked for a mail to their own account.
 */
export async function sendMailNow(env: Env, config: Config, message: MailMessage): Promise<boolean> {
  const copy = config.devMailbox ? keepMail(message) : undefined;
  return deliver(env, config, message, copy);
}

async function deliver(env: Env, config: Config, message: MailMessage, copy: KeptMail | undefined): Promise<boolean> {
  try {
    if (!env.EMAIL) throw new Error('the EMAIL send_email binding is missing from wrangler.toml');
    await env.EMAIL.send({ from: config.mailFrom, to: message.to, subject: message.subject, text: message.text, html: message.html });
    if (copy) copy.status = 'sent';
    return true;
  } catch (error) {
    if (copy) copy.status = 'failed';
    const reason = error instanceof Error ? error.message : 'unknown error';
    console.error(JSON.stringify({ level: 'error', event: 'mail_failed', kind: message.kind, reason }));
    return false;
  }
}
