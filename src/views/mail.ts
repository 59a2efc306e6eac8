import { html } from 'hono/html';
import { formatDuration } from '../i18n/format';
import { DEFAULT_LOCALE, messagesFor, type Locale, textDirection } from '../i18n/messages';

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
  /** The language of the page that sent it; English when not given. */
  locale?: Locale | undefined;
}

const localeOf = (brand: MailBrand): Locale => brand.locale ?? DEFAULT_LOCALE;

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
  const t = messagesFor(brand.locale);
  const text = [...content.lines, ...(content.action ? [t.mailActionLine(content.action.label, content.action.url)] : []), ...(content.after ? [content.after] : [])].join('\n\n');
  const body = await html`<!doctype html><html lang="${localeOf(brand)}" dir="${textDirection(brand.locale)}"><body style="margin:0;padding:24px;font:16px/1.5 system-ui,sans-serif;color:#1b1b1f;background:#f6f6f8">
<div style="max-width:32rem;margin:0 auto;padding:24px;background:#fff;border-radius:12px">
<p style="margin:0 0 16px;font-weight:600">${brand.appName}</p>
${content.lines.map((line) => html`<p style="margin:0 0 16px">${line}</p>`)}
${content.action ? html`<p style="margin:24px 0"><a href="${content.action.url}" style="display:inline-block;padding:12px 20px;color:#fff;background:${accent};border-radius:8px;text-decoration:none;font-weight:600">${content.action.label}</a></p><p style="margin:0 0 16px;font-size:14px;color:#5b5b66;overflow-wrap:anywhere">${t.mailOrOpen} ${content.action.url}</p>` : ''}
${content.after ? html`<p style="margin:0;font-size:14px;color:#5b5b66">${content.after}</p>` : ''}
</div></body></html>`;
  return { kind, to, subject: content.subject, text, html: body.toString() };
}

export function confirmSignupMail(to: string, brand: MailBrand, url: string, ttlHours: number): Promise<MailMessage> {
  const t = messagesFor(brand.locale);
  return compose('confirm_signup', to, brand, {
    subject: t.mailSignupSubject,
    lines: [t.mailSignupLine(brand.appName)],
    action: { label: t.mailSignupAction, url },
    after: `${t.mailLinkOnce(formatDuration(localeOf(brand), ttlHours, 'hour'))} ${t.mailIgnore}`,
  });
}

export function accountExistsMail(to: string, brand: MailBrand, resetUrl: string): Promise<MailMessage> {
  const t = messagesFor(brand.locale);
  return compose('account_exists', to, brand, {
    subject: t.mailExistsSubject,
    lines: [t.mailExistsLine(brand.appName), t.mailExistsAdvice],
    action: { label: t.resetYourPassword, url: resetUrl },
    after: t.mailIgnore,
  });
}

export function resetPasswordMail(to: string, brand: MailBrand, url: string, ttlMinutes: number): Promise<MailMessage> {
  const t = messagesFor(brand.locale);
  return compose('reset_password', to, brand, {
    subject: t.resetYourPassword,
    lines: [t.mailResetLine],
    action: { label: t.chooseNewPassword, url },
    after: `${t.mailResetAfter(formatDuration(localeOf(brand), ttlMinutes, 'minute'))} ${t.mailIgnore}`,
  });
}

export function verifyEmailMail(to: string, brand: MailBrand, url: string, ttlHours: number): Promise<MailMessage> {
  const t = messagesFor(brand.locale);
  return compose('verify_email', to, brand, {
    subject: t.mailVerifySubject,
    lines: [t.mailVerifyLine],
    action: { label: t.mailVerifyAction, url },
    after: `${t.mailLinkOnce(formatDuration(localeOf(brand), ttlHours, 'hour'))} ${t.mailIgnore}`,
  });
}

export function confirmEmailChangeMail(to: string, brand: MailBrand, url: string, ttlMinutes: number): Promise<MailMessage> {
  const t = messagesFor(brand.locale);
  return compose('confirm_email_change', to, brand, {
    subject: t.mailChangeSubject,
    lines: [t.mailChangeLine(brand.appName)],
    action: { label: t.useThisAddress, url },
    after: `${t.mailChangeAfter(formatDuration(localeOf(brand), ttlMinutes, 'minute'))} ${t.mailIgnore}`,
  });
}

export function emailChangeNoticeMail(to: string, brand: MailBrand, newAddress: string): Promise<MailMessage> {
  const t = messagesFor(brand.locale);
  return compose('email_change_notice', to, brand, {
    subject: t.mailNoticeSubject,
    lines: [t.mailNoticeLine(brand.appName, newAddress), t.mailNoticeAdvice],
  });
}
