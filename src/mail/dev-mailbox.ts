import type { MailMessage } from '../views/mail';

/** A message as the dev mailbox shows it. */
export interface KeptMail extends MailMessage {
  id: number;
  at: number;
  /** `sending` until the mail service answers; `failed` says the real send did not go through. */
  status: 'sending' | 'sent' | 'failed';
}

/** Enough for a session of manual testing; the oldest go first. */
const MAX_KEPT = 100;
const kept: KeptMail[] = [];
let lastId = 0;

/**
 * Development only (config.devMailbox): a copy of each account mail in this isolate's memory,
 * shown on /dev/mailbox. `wrangler dev` runs the worker in one isolate, so the page sees every
 * message sent since the server started; Miniflare also logs each one and writes its text and
 * HTML to files, which survive a restart.
 */
export function keepMail(message: MailMessage): KeptMail {
  const mail: KeptMail = { ...message, id: ++lastId, at: Date.now(), status: 'sending' };
  kept.unshift(mail);
  kept.length = Math.min(kept.length, MAX_KEPT);
  return mail;
}

/** Newest first; only the messages to `to` when given. */
export function keptMail(to?: string): readonly KeptMail[] {
  return to === undefined ? kept : kept.filter((mail) => mail.to === to);
}
