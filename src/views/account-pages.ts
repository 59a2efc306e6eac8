import { html } from 'hono/html';
import { layout, type Html } from './layout';
import { passwordField, SHOW_PASSWORD_SCRIPT } from './show-password';

/** The app a page speaks for, as the login page shows it. */
export interface PageBrand {
  clientName: string;
  logoUri?: string | null | undefined;
  accent?: string | null | undefined;
}

const branded = (brand: PageBrand | undefined) => ({ accent: brand?.accent, brand: brand && { name: brand.clientName, logoUri: brand.logoUri } });

/** A new-password field with its rule under it, and the reason next to it when it was refused. */
export function newPasswordField(minLength: number, problem: string | undefined, autofocus: boolean, id = 'password', label = 'Password'): Html {
  const described = problem ? `${id}-problem ${id}-rule` : `${id}-rule`;
  return html`<label for="${id}">${label}</label>
${passwordField({
  id,
  name: id,
  autocomplete: 'new-password',
  attributes: html` minlength="${minLength}" aria-describedby="${described}"${problem ? html` aria-invalid="true"` : ''}${autofocus ? html` autofocus` : ''}`,
})}
${problem ? html`<p class="field-error" id="${id}-problem">${problem}</p>` : ''}
<p class="hint" id="${id}-rule">At least ${minLength} characters. Long phrases are welcome; common passwords are refused.</p>`;
}

export interface SignupPageProps extends PageBrand {
  nonce: string;
  requestId: string;
  minLength: number;
  email?: string | undefined;
  name?: string | undefined;
  /** A problem with the whole form (missing email, too many attempts). */
  error?: string | undefined;
  passwordProblem?: string | undefined;
}

export function signupPage(props: SignupPageProps): Html {
  const emailKept = !!props.email;
  return layout({
    title: `Create account · ${props.clientName}`,
    nonce: props.nonce,
    ...branded(props),
    script: SHOW_PASSWORD_SCRIPT,
    body: html`<h1>Create account</h1>
<p>to continue to ${props.clientName}</p>
${props.error ? html`<p class="error" role="alert">${props.error}</p>` : ''}
<form method="post" action="/signup">
<input type="hidden" name="request_id" value="${props.requestId}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${props.email ?? ''}"${emailKept ? '' : html` autofocus`}>
<label for="name">Name <span class="hint">(optional)</span></label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="100" value="${props.name ?? ''}">
${newPasswordField(props.minLength, props.passwordProblem, emailKept)}
<button type="submit">Create account</button>
</form>
<p class="links"><a href="/login?account=another">I already have an account</a></p>`,
  });
}

export function checkInboxPage(props: { nonce: string; email: string; brand?: PageBrand | undefined; what: 'signup' | 'reset' }): Html {
  const next =
    props.what === 'signup'
      ? 'Open the link in it to confirm your address and finish creating your account. If this address already has an account, the email says so.'
      : 'If there is an account with this address, the email has a link to choose a new password.';
  return layout({
    title: 'Check your inbox',
    nonce: props.nonce,
    ...branded(props.brand),
    body: html`<h1>Check your inbox</h1>
<p role="status">We sent an email to <strong>${props.email}</strong>.</p>
<p>${next}</p>
<p>No email after a few minutes? Check your spam folder, or go back and try again.</p>`,
  });
}

export function forgotPasswordPage(props: { nonce: string; email?: string | undefined; error?: string | undefined; brand?: PageBrand | undefined }): Html {
  return layout({
    title: 'Reset your password',
    nonce: props.nonce,
    ...branded(props.brand),
    body: html`<h1>Reset your password</h1>
<p>Enter your email and we will send you a link to choose a new password.</p>
${props.error ? html`<p class="error" role="alert">${props.error}</p>` : ''}
<form method="post" action="/forgot">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" autofocus value="${props.email ?? ''}">
<button type="submit">Send reset link</button>
</form>`,
  });
}

export function resetPasswordPage(props: { nonce: string; token: string; minLength: number; passwordProblem?: string | undefined }): Html {
  return layout({
    title: 'Choose a new password',
    nonce: props.nonce,
    script: SHOW_PASSWORD_SCRIPT,
    body: html`<h1>Choose a new password</h1>
<p>Saving it signs you out on every device.</p>
<form method="post" action="/reset">
<input type="hidden" name="token" value="${props.token}">
${newPasswordField(props.minLength, props.passwordProblem, true)}
<button type="submit">Save password</button>
</form>`,
  });
}

/** Before the account is created: a link opened by a mail scanner must not create it. */
export function confirmSignupPage(props: { nonce: string; token: string; email: string; brand?: PageBrand | undefined }): Html {
  return layout({
    title: 'Finish creating your account',
    nonce: props.nonce,
    ...branded(props.brand),
    body: html`<h1>Finish creating your account</h1>
<p>Your email <strong>${props.email}</strong> is confirmed by this link.</p>
<form method="post" action="/signup/confirm">
<input type="hidden" name="token" value="${props.token}">
<button type="submit">Create account</button>
</form>`,
  });
}

/** An operator asked edge-auth to confirm the address of an existing account. */
export function confirmEmailPage(props: { nonce: string; token: string; email: string }): Html {
  return layout({
    title: 'Confirm your email',
    nonce: props.nonce,
    body: html`<h1>Confirm your email</h1>
<p>Confirm that <strong>${props.email}</strong> is the address of your account.</p>
<form method="post" action="/verify-email">
<input type="hidden" name="token" value="${props.token}">
<button type="submit">Confirm email</button>
</form>`,
  });
}

/** The end of a flow that does not return to an app by itself. */
export function noticePage(props: { nonce: string; title: string; message: string; brand?: PageBrand | undefined }): Html {
  return layout({
    title: props.title,
    nonce: props.nonce,
    ...branded(props.brand),
    body: html`<h1>${props.title}</h1>
<p role="status">${props.message}</p>`,
  });
}

export interface VerifyPendingPageProps {
  nonce: string;
  email: string;
  requestId: string;
  brand?: PageBrand | undefined;
  /** After "Send again" or "Continue": what happened, as a status line or an alert. */
  notice?: { text: string; alert: boolean } | undefined;
}

/** The client requires a confirmed address: the request waits here until the link in the mail is used. */
export function verifyPendingPage(props: VerifyPendingPageProps): Html {
  const notice = props.notice;
  return layout({
    title: 'Confirm your email',
    nonce: props.nonce,
    ...branded(props.brand),
    body: html`<h1>Confirm your email</h1>
<p>${props.brand?.clientName ?? 'This app'} needs a confirmed address. We sent a link to <strong>${props.email}</strong>.</p>
${notice ? html`<p ${notice.alert ? html`class="error" role="alert"` : html`role="status"`}>${notice.text}</p>` : ''}
<p>Open the link in the email, then continue here.</p>
<form method="post" action="/verify-email/continue">
<input type="hidden" name="request_id" value="${props.requestId}">
<button type="submit">I confirmed it, continue</button>
</form>
<form method="post" action="/verify-email/resend">
<input type="hidden" name="request_id" value="${props.requestId}">
<button type="submit" class="secondary">Send the email again</button>
</form>`,
  });
}
