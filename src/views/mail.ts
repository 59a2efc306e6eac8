import { html } from 'hono/html';

export type MailKind = 'confirm_signup' | 'account_exists' | 'reset_password' | 'verify_email' | 'confirm_email_change' | 'email_change_notice';

/** An account mail: plain text and HTML from the same words. */
export interface MailMessage {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The app the person came from, as its pages show it. */
export interface MailBrand {
  appName: string;
  accent?: string | null | undefined;
}

interface Content {
  subject: string;
  lines: string[];
  action?: { label: string; url: string };
  after?: string;
}

/**
 * One template, two bodies. The HTML is table-free and inline-styled (mail clients drop style
 * sheets); every value is escaped by Hono's `html`.
 */
async function compose(kind: MailKind, to: string, brand: MailBrand, content: Content): Promise<MailMessage> {
  const accent = brand.accent ?? '#2453d6';
  const text = [...content.lines, ...(content.action ? [`${content.action.label}: ${content.action.url}`] : []), ...(content.after ? [content.after] : [])].join('\n\n');
  const body = await html`<!doctype html><html lang="en"><body style="margin:0;padding:24px;font:16px/1.5 system-ui,sans-serif;color:#1b1b1f;background:#f6f6f8">
<div style="max-width:32rem;margin:0 auto;padding:24px;background:#fff;border-radius:12px">
<p style="margin:0 0 16px;font-weight:600">${brand.appName}</p>
${content.lines.map((line) => html`<p style="margin:0 0 16px">${line}</p>`)}
${content.action ? html`<p style="margin:24px 0"><a href="${content.action.url}" style="display:inline-block;padding:12px 20px;color:#fff;background:${accent};border-radius:8px;text-decoration:none;font-weight:600">${content.action.label}</a></p><p style="margin:0 0 16px;font-size:14px;color:#5b5b66;overflow-wrap:anywhere">Or open this link: ${content.action.url}</p>` : ''}
${content.after ? html`<p style="margin:0;font-size:14px;color:#5b5b66">${content.after}</p>` : ''}
</div></body></html>`;
  return { kind, to, subject: content.subject, text, html: body.toString() };
}

const IGNORE = 'If you did not ask for this, you can ignore this email.';

export function confirmSignupMail(to: string, brand: MailBrand, url: string, ttlHours: number): Promise<MailMessage> {
  return compose('confirm_signup', to, brand, {
    subject: `Confirm your email to finish creating your account`,
    lines: [`Someone, hopefully you, asked to create an account for ${brand.appName} with this email address.`],
    action: { label: 'Confirm email and create account', url },
    after: `The link works once, for ${ttlHours} hours. ${IGNORE}`,
  });
}

export function accountExistsMail(to: string, brand: MailBrand, resetUrl: string): Promise<MailMessage> {
  return compose('account_exists', to, brand, {
    subject: 'You already have an account',
    lines: [
      `Someone, hopefully you, tried to create an account for ${brand.appName} with this email address, but it already has one.`,
      'Sign in with your password instead. If you forgot it, you can choose a new one.',
    ],
    action: { label: 'Reset your password', url: resetUrl },
    after: IGNORE,
  });
}

export function resetPasswordMail(to: string, brand: MailBrand, url: string, ttlMinutes: number): Promise<MailMessage> {
  return compose('reset_password', to, brand, {
    subject: 'Reset your password',
    lines: ['Someone, hopefully you, asked to reset the password of the account with this email address.'],
    action: { label: 'Choose a new password', url },
    after: `The link works once, for ${ttlMinutes} minutes, and stops working if your password changes. Choosing a new password signs you out everywhere. ${IGNORE}`,
  });
}

export function verifyEmailMail(to: string, brand: MailBrand, url: string, ttlHours: number): Promise<MailMessage> {
  return compose('verify_email', to, brand, {
    subject: 'Confirm your email address',
    lines: ['Please confirm that this is the email address of your account.'],
    action: { label: 'Confirm email address', url },
    after: `The link works once, for ${ttlHours} hours. ${IGNORE}`,
  });
}

export function confirmEmailChangeMail(to: string, brand: MailBrand, url: string, ttlMinutes: number): Promise<MailMessage> {
  return compose('confirm_email_change', to, brand, {
    subject: 'Confirm your new email address',
    lines: [`Someone, hopefully you, asked to use this address for their ${brand.appName} account.`],
    action: { label: 'Use this address', url },
    after: `The link works once, for ${ttlMinutes} minutes. Until you use it, the account keeps its old address. ${IGNORE}`,
  });
}

export function emailChangeNoticeMail(to: string, brand: MailBrand, newAddress: string): Promise<MailMessage> {
  return compose('email_change_notice', to, brand, {
    subject: 'Your email address is about to change',
    lines: [
      `Someone signed in to your ${brand.appName} account asked to change its email address to ${newAddress}.`,
      'Nothing changes until the new address is confirmed. If this was not you, reset your password now: that ends every session, and the change with it.',
    ],
  });
}
