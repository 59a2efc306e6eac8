import { html } from 'hono/html';
import { messagesFor, type Locale, type Messages } from '../i18n/messages';
import { layout, type Html } from './layout';
import { passwordField } from './show-password';

/** The app a page speaks for, as the login page shows it. */
export interface PageBrand {
  clientName: string;
  logoUri?: string | null | undefined;
  accent?: string | null | undefined;
}

const branded = (brand: PageBrand | undefined) => ({ accent: brand?.accent, brand: brand && { name: brand.clientName, logoUri: brand.logoUri } });

/** What a form of these pages can say went wrong with the whole form, as catalogue keys. */
export type FormError = 'invalidEmail' | 'tooManyAttempts';

/** A new-password field with its rule under it, and the reason next to it when it was refused. */
export function newPasswordField(minLength: number, problem: string | undefined, autofocus: boolean, id = 'password', label?: string, t: Messages = messagesFor(undefined)): Html {
  const described = problem ? `${id}-problem ${id}-rule` : `${id}-rule`;
  return html`<label for="${id}">${label ?? t.password}</label>
${passwordField({
  id,
  name: id,
  autocomplete: 'new-password',
  label: t.showPassword,
  attributes: html` minlength="${minLength}" aria-describedby="${described}"${problem ? html` aria-invalid="true"` : ''}${autofocus ? html` autofocus` : ''}`,
})}
${problem ? html`<p class="field-error" id="${id}-problem">${problem}</p>` : ''}
<p class="hint" id="${id}-rule">${t.passwordRule(String(minLength))}</p>`;
}

export interface SignupPageProps extends PageBrand {
  nonce: string;
  requestId: string;
  minLength: number;
  email?: string | undefined;
  name?: string | undefined;
  /** A problem with the whole form (missing email, too many attempts). */
  error?: FormError | undefined;
  passwordProblem?: string | undefined;
  locale?: Locale | undefined;
}

export function signupPage(props: SignupPageProps): Html {
  const emailKept = !!props.email;
  const t = messagesFor(props.locale);
  return layout({
    title: t.createAccountTitle(props.clientName),
    nonce: props.nonce,
    locale: props.locale,
    ...branded(props),
    scripts: ['show-password.js'],
    body: html`<h1>${t.createAccount}</h1>
<p>${t.toContinueTo(props.clientName)}</p>
${props.error ? html`<p class="error" role="alert">${t[props.error]}</p>` : ''}
<form method="post" action="/signup">
<input type="hidden" name="request_id" value="${props.requestId}">
<label for="email">${t.email}</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${props.email ?? ''}"${emailKept ? '' : html` autofocus`}>
<label for="name">${t.name} <span class="hint">${t.optional}</span></label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="100" value="${props.name ?? ''}">
${newPasswordField(props.minLength, props.passwordProblem, emailKept, 'password', undefined, t)}
<button type="submit">${t.createAccount}</button>
</form>
<p class="links"><a href="/login?account=another">${t.haveAccount}</a></p>`,
  });
}

export function checkInboxPage(props: { nonce: string; email: string; brand?: PageBrand | undefined; what: 'signup' | 'reset'; locale?: Locale | undefined }): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.checkInbox,
    nonce: props.nonce,
    locale: props.locale,
    ...branded(props.brand),
    body: html`<h1>${t.checkInbox}</h1>
<p role="status">${t.weSentTo(html`<strong>${props.email}</strong>`)}</p>
<p>${props.what === 'signup' ? t.inboxSignup : t.inboxReset}</p>
<p>${t.noEmailYet}</p>`,
  });
}

export function forgotPasswordPage(props: { nonce: string; email?: string | undefined; error?: FormError | undefined; brand?: PageBrand | undefined; locale?: Locale | undefined }): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.resetYourPassword,
    nonce: props.nonce,
    locale: props.locale,
    ...branded(props.brand),
    body: html`<h1>${t.resetYourPassword}</h1>
<p>${t.resetIntro}</p>
${props.error ? html`<p class="error" role="alert">${t[props.error]}</p>` : ''}
<form method="post" action="/forgot">
<label for="email">${t.email}</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" autofocus value="${props.email ?? ''}">
<button type="submit">${t.sendResetLink}</button>
</form>`,
  });
}

export function resetPasswordPage(props: { nonce: string; token: string; minLength: number; passwordProblem?: string | undefined; locale?: Locale | undefined }): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.chooseNewPassword,
    nonce: props.nonce,
    locale: props.locale,
    scripts: ['show-password.js'],
    body: html`<h1>${t.chooseNewPassword}</h1>
<p>${t.savingSignsOut}</p>
<form method="post" action="/reset">
<input type="hidden" name="token" value="${props.token}">
${newPasswordField(props.minLength, props.passwordProblem, true, 'password', undefined, t)}
<button type="submit">${t.savePassword}</button>
</form>`,
  });
}

/** Before the account is created: a link opened by a mail scanner must not create it. */
export function confirmSignupPage(props: { nonce: string; token: string; email: string; brand?: PageBrand | undefined; locale?: Locale | undefined }): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.finishCreating,
    nonce: props.nonce,
    locale: props.locale,
    ...branded(props.brand),
    body: html`<h1>${t.finishCreating}</h1>
<p>${t.confirmedByLink(html`<strong>${props.email}</strong>`)}</p>
<form method="post" action="/signup/confirm">
<input type="hidden" name="token" value="${props.token}">
<button type="submit">${t.createAccount}</button>
</form>`,
  });
}

/** An operator asked edge-auth to confirm the address of an existing account. */
export function confirmEmailPage(props: { nonce: string; token: string; email: string; locale?: Locale | undefined }): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.confirmYourEmail,
    nonce: props.nonce,
    locale: props.locale,
    body: html`<h1>${t.confirmYourEmail}</h1>
<p>${t.confirmThatAddress(html`<strong>${props.email}</strong>`)}</p>
<form method="post" action="/verify-email">
<input type="hidden" name="token" value="${props.token}">
<button type="submit">${t.confirmEmail}</button>
</form>`,
  });
}

/** The end of a flow that does not return to an app by itself. */
export function noticePage(props: { nonce: string; title: string; message: string; brand?: PageBrand | undefined; locale?: Locale | undefined }): Html {
  return layout({
    title: props.title,
    nonce: props.nonce,
    locale: props.locale,
    ...branded(props.brand),
    body: html`<h1>${props.title}</h1>
<p role="status">${props.message}</p>`,
  });
}

/** What the waiting page can say after "Send again" or "Continue", as catalogue keys. */
export type VerifyNotice = 'tooManyAttempts' | 'couldNotSend' | 'sentAgain' | 'notConfirmedYet';

export interface VerifyPendingPageProps {
  nonce: string;
  email: string;
  requestId: string;
  brand?: PageBrand | undefined;
  /** After "Send again" or "Continue": what happened, as a status line or an alert. */
  notice?: { text: VerifyNotice; alert: boolean } | undefined;
  locale?: Locale | undefined;
}

/** The client requires a confirmed address: the request waits here until the link in the mail is used. */
export function verifyPendingPage(props: VerifyPendingPageProps): Html {
  const notice = props.notice;
  const t = messagesFor(props.locale);
  return layout({
    title: t.confirmYourEmail,
    nonce: props.nonce,
    locale: props.locale,
    ...branded(props.brand),
    body: html`<h1>${t.confirmYourEmail}</h1>
<p>${t.needsConfirmedAddress(props.brand?.clientName ?? t.thisApp, html`<strong>${props.email}</strong>`)}</p>
${notice ? html`<p ${notice.alert ? html`class="error" role="alert"` : html`role="status"`}>${t[notice.text]}</p>` : ''}
<p>${t.openLinkThenContinue}</p>
<form method="post" action="/verify-email/continue">
<input type="hidden" name="request_id" value="${props.requestId}">
<button type="submit">${t.confirmedContinue}</button>
</form>
<form method="post" action="/verify-email/resend">
<input type="hidden" name="request_id" value="${props.requestId}">
<button type="submit" class="secondary">${t.sendAgain}</button>
</form>`,
  });
}
