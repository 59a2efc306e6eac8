import type { Config } from '../config';
import type { UserRow } from '../db/schema';
import { sendMail, sendMailNow } from '../mail/outbox';
import type { Locale } from '../i18n/messages';
import { RESET_LINK_TTL_MS, VERIFY_LINK_TTL_MS } from '../oauth/account-link';
import { resetPasswordMail, verifyEmailMail, type MailMessage } from '../views/mail';
import { passwordBinding, sealResetLink, sealVerifyLink } from './account-links';

/** What sending an account mail needs from the request: the bindings, the configuration, and where to defer the send. */
export interface MailContext {
  env: Env;
  config: Config;
  defer: (promise: Promise<unknown>) => void;
}

/** A reset link for the user's current password; `token` is returned so a caller can seal one for an unknown address alike. */
export async function resetLinkFor(env: Env, user: Pick<UserRow, 'id' | 'passwordHash'> | undefined): Promise<string> {
  const binding = await passwordBinding(user?.passwordHash ?? '');
  return sealResetLink(env, { userId: user?.id ?? '', passwordBinding: binding, expiresAt: Date.now() + RESET_LINK_TTL_MS });
}

/**
 * Mails the user a link to choose a new password (the forgot-password form, the Management API),
 * in their saved language, else `locale` (the page's), else English. So do the other account mails.
 */
export async function sendResetMail(mail: MailContext, user: UserRow, token: string, locale?: Locale): Promise<void> {
  const url = `${mail.config.issuer}/reset?token=${token}`;
  sendMail(mail.env, mail.config, await resetPasswordMail(user.email, { appName: new URL(mail.config.issuer).host, locale: user.locale ?? locale }, url, RESET_LINK_TTL_MS / 60_000), mail.defer);
}

/** The mail with a link that confirms the user's current address. */
async function verifyMailFor(config: Config, env: Env, user: UserRow, appName: string | undefined, locale: Locale | undefined): Promise<MailMessage> {
  const token = await sealVerifyLink(env, { userId: user.id, email: user.email, expiresAt: Date.now() + VERIFY_LINK_TTL_MS });
  const url = `${config.issuer}/verify-email?token=${token}`;
  return verifyEmailMail(user.email, { appName: appName ?? new URL(config.issuer).host, locale: user.locale ?? locale }, url, VERIFY_LINK_TTL_MS / 3600_000);
}

/** Mails the user a link that confirms the address, after the response (the Management API, a client that requires it). */
export async function sendVerifyMail(mail: MailContext, user: UserRow, appName?: string, locale?: Locale): Promise<void> {
  sendMail(mail.env, mail.config, await verifyMailFor(mail.config, mail.env, user, appName, locale), mail.defer);
}

/** The same, while the person waits: false when the mail service refused it, so the page can say so. */
export async function sendVerifyMailNow(env: Env, config: Config, user: UserRow, appName?: string, locale?: Locale): Promise<boolean> {
  return sendMailNow(env, config, await verifyMailFor(config, env, user, appName, locale));
}
