import { html } from 'hono/html';
import { newPasswordField } from './account-pages';
import { layout, type Html } from './layout';
import { passwordField, SHOW_PASSWORD_SCRIPT } from './show-password';

/** A line at the top of the page after an action: a status, or an alert when it failed. */
export interface AccountNotice {
  text: string;
  alert: boolean;
}

const noticeLine = (notice: AccountNotice | undefined) =>
  notice ? html`<p ${notice.alert ? html`class="error" role="alert"` : html`role="status"`}>${notice.text}</p>` : '';

const currentPassword = (id: string, autofocus = false) => html`<label for="${id}">Current password</label>
${passwordField({ id, name: 'current_password', autocomplete: 'current-password', attributes: autofocus ? ' autofocus' : '' })}`;

/** /account without a session: the password form, which opens one. */
export function accountSignInPage(props: { nonce: string; email?: string | undefined; notice?: AccountNotice | undefined }): Html {
  return layout({
    title: 'Sign in to your account',
    nonce: props.nonce,
    script: SHOW_PASSWORD_SCRIPT,
    body: html`<h1>Your account</h1>
<p>Sign in to change your password or email address, or to sign out everywhere.</p>
${noticeLine(props.notice)}
<form method="post" action="/account/sign-in">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${props.email ?? ''}"${props.email ? '' : html` autofocus`}>
<label for="password">Password</label>
${passwordField({ id: 'password', name: 'password', autocomplete: 'current-password', attributes: props.email ? ' autofocus' : '' })}
<button type="submit">Sign in</button>
</form>
<p class="links"><a href="/forgot">Forgot password?</a></p>`,
  });
}

export interface AccountPageProps {
  nonce: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  minLength: number;
  /** How long the audit log keeps the pseudonymous record of a deletion (AUDIT_RETENTION_DAYS). */
  auditRetentionDays: number;
  notice?: AccountNotice | undefined;
  /** Which form a refusal is about, so its field says why and keeps the focus. */
  problem?: { form: 'password' | 'email' | 'delete'; text: string } | undefined;
  newEmail?: string | undefined;
}

/** The signed-in person's own settings: each form re-asks the current password where the change is sensitive. */
export function accountPage(props: AccountPageProps): Html {
  const passwordProblem = props.problem?.form === 'password' ? props.problem.text : undefined;
  const emailProblem = props.problem?.form === 'email' ? props.problem.text : undefined;
  const deleteProblem = props.problem?.form === 'delete' ? props.problem.text : undefined;
  return layout({
    title: 'Your account',
    nonce: props.nonce,
    script: SHOW_PASSWORD_SCRIPT,
    body: html`<h1>Your account</h1>
<p class="account">Signed in as <strong>${props.email}</strong>${props.name ? html` (${props.name})` : ''}</p>
${noticeLine(props.notice)}
${props.emailVerified
  ? ''
  : html`<p>Your email address is not confirmed yet.</p>
<form method="post" action="/account/verification-mail"><button type="submit" class="secondary">Send me a confirmation link</button></form>`}
<h2 id="change-password">Change password</h2>
<p>Changing it signs you out on every device and app, this one included.</p>
<form method="post" action="/account/password" aria-labelledby="change-password">
${currentPassword('current-password-for-password', !!passwordProblem)}
${newPasswordField(props.minLength, passwordProblem, false, 'new_password', 'New password')}
<button type="submit">Change password</button>
</form>
<h2 id="change-email">Change email</h2>
<p>We send a link to the new address; the change happens when you open it.</p>
<form method="post" action="/account/email" aria-labelledby="change-email">
<label for="new_email">New email</label>
<input id="new_email" name="new_email" type="email" autocomplete="email" required maxlength="254" value="${props.newEmail ?? ''}"${emailProblem ? html` aria-invalid="true" aria-describedby="email-problem" autofocus` : ''}>
${emailProblem ? html`<p class="field-error" id="email-problem">${emailProblem}</p>` : ''}
${currentPassword('current-password-for-email')}
<button type="submit">Send confirmation link</button>
</form>
<h2 id="sessions">Sessions</h2>
<form method="post" action="/account/sign-out-everywhere" aria-labelledby="sessions">
<p>Ends every session and revokes every app's access; apps ask you to sign in again.</p>
<button type="submit" class="secondary">Sign out everywhere</button>
</form>
<form method="post" action="/account/sign-out"><button type="submit" class="secondary">Sign out of this browser</button></form>
<h2 id="your-data">Your data</h2>
<p><a href="/account/export" download>Download your data</a> (JSON): your profile, sessions, app access, consents and recent account activity.</p>
<h2 id="delete-account">Delete account</h2>
<p>Deletes your account for good: your email address, name and password, every session, every app’s access and refresh tokens, and what you allowed apps to do. Apps you used may keep their own copies of your data. A record that an account was deleted, without your email address, stays in the audit log for up to ${props.auditRetentionDays} days.</p>
<form method="post" action="/account/delete" aria-labelledby="delete-account">
${currentPassword('current-password-for-delete', !!deleteProblem)}
${deleteProblem ? html`<p class="field-error" id="delete-problem" role="alert">${deleteProblem}</p>` : ''}
<button type="submit" class="danger">Delete my account</button>
</form>`,
  });
}

/** A pending change of address, before the link is used: a mail scanner opening it changes nothing. */
export function confirmEmailChangePage(props: { nonce: string; token: string; to: string }): Html {
  return layout({
    title: 'Confirm your new email',
    nonce: props.nonce,
    body: html`<h1>Confirm your new email</h1>
<p>Use <strong>${props.to}</strong> as the address of your account.</p>
<form method="post" action="/account/email/confirm">
<input type="hidden" name="token" value="${props.token}">
<button type="submit">Use this address</button>
</form>`,
  });
}
