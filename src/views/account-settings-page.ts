import { html } from 'hono/html';
import { ownName } from '../i18n/format';
import { LOCALES, messagesFor, type Locale, type Messages } from '../i18n/messages';
import { newPasswordField } from './account-pages';
import { layout, type Html } from './layout';
import { twoStepSection } from './second-factor-pages';
import { passkeySection, type PasskeyEnrolment, type PasskeyListItem } from './passkey-views';
import { passwordField } from './show-password';

/** A line at the top of the page after an action: a status, or an alert when it failed. */
export interface AccountNotice {
  text: string;
  alert: boolean;
}

const noticeLine = (notice: AccountNotice | undefined) =>
  notice ? html`<p ${notice.alert ? html`class="error" role="alert"` : html`role="status"`}>${notice.text}</p>` : '';

const currentPassword = (t: Messages, id: string, autofocus = false) => html`<label for="${id}">${t.currentPassword}</label>
${passwordField({ id, name: 'current_password', autocomplete: 'current-password', label: t.showPassword, attributes: autofocus ? ' autofocus' : '' })}`;

/** /account without a session: the password form, which opens one. */
export function accountSignInPage(props: { nonce: string; email?: string | undefined; notice?: AccountNotice | undefined; locale?: Locale | undefined }): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.accountSignInTitle,
    nonce: props.nonce,
    locale: props.locale,
    scripts: ['show-password.js'],
    body: html`<h1>${t.accountTitle}</h1>
<p>${t.accountSignInIntro}</p>
${noticeLine(props.notice)}
<form method="post" action="/account/sign-in">
<label for="email">${t.email}</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${props.email ?? ''}"${props.email ? '' : html` autofocus`}>
<label for="password">${t.password}</label>
${passwordField({ id: 'password', name: 'password', autocomplete: 'current-password', label: t.showPassword, attributes: props.email ? ' autofocus' : '' })}
<button type="submit">${t.signIn}</button>
</form>
<p class="links"><a href="/forgot">${t.forgotPassword}</a></p>`,
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
  locale?: Locale | undefined;
  /** The language the person saved, if any (the page may speak the browser's until then). */
  savedLocale?: Locale | null | undefined;
  /** The authenticator app, when one is enrolled. */
  twoStep?: { recoveryCodesLeft: number } | undefined;
  /** The upstream accounts linked to this one (src/routes/account-identities.ts). */
  identities?: readonly { connectionId: string; subject: string; displayName: string; email: string | null }[] | undefined;
  /** The user's passkeys and a challenge to create one (absent: no passkey section). */
  passkeys?: { list: readonly PasskeyListItem[]; enrolment: PasskeyEnrolment } | undefined;
}

/** Each language named in itself, with its tag, so a person who cannot read the page finds theirs. */
const languageChoice = (t: Messages, saved: Locale | null | undefined) => html`<h2 id="language">${t.language}</h2>
<p>${t.languageIntro}</p>
<form method="post" action="/account/language" aria-labelledby="language">
<label for="locale">${t.language}</label>
<select id="locale" name="locale">${LOCALES.map((locale) => html`<option value="${locale}" lang="${locale}"${locale === saved ? ' selected' : ''}>${ownName(locale)}</option>`)}</select>
<button type="submit" class="secondary">${t.saveLanguage}</button>
</form>`;

const identitiesSection = (t: Messages, identities: AccountPageProps['identities']) =>
  identities?.length
    ? html`<h2 id="identities">${t.identitiesHeading}</h2>
<p>${t.identitiesIntro}</p>
<ul>${identities.map(
        (identity) => html`<li><form method="post" action="/account/identities/unlink" class="account">
<input type="hidden" name="connection_id" value="${identity.connectionId}"><input type="hidden" name="subject" value="${identity.subject}">
<strong>${identity.displayName}</strong>${identity.email ? html` (${identity.email})` : ''} · <button type="submit" class="link">${t.unlink}</button>
</form></li>`,
      )}</ul>`
    : '';

/** The signed-in person's own settings: each form re-asks the current password where the change is sensitive. */
export function accountPage(props: AccountPageProps): Html {
  const passwordProblem = props.problem?.form === 'password' ? props.problem.text : undefined;
  const emailProblem = props.problem?.form === 'email' ? props.problem.text : undefined;
  const deleteProblem = props.problem?.form === 'delete' ? props.problem.text : undefined;
  const t = messagesFor(props.locale);
  return layout({
    title: t.accountTitle,
    nonce: props.nonce,
    locale: props.locale,
    scripts: props.passkeys ? ['show-password.js', 'passkeys.js'] : ['show-password.js'],
    body: html`<h1>${t.accountTitle}</h1>
<p class="account">${t.signedInAs(html`<strong>${props.email}</strong>`)}${props.name ? html` (${props.name})` : ''}</p>
${noticeLine(props.notice)}
${props.emailVerified
  ? ''
  : html`<p>${t.emailNotConfirmed}</p>
<form method="post" action="/account/verification-mail"><button type="submit" class="secondary">${t.sendMeConfirmation}</button></form>`}
${identitiesSection(t, props.identities)}
${props.passkeys ? passkeySection(props.passkeys.list, props.passkeys.enrolment, t) : ''}
<h2 id="change-password">${t.changePassword}</h2>
<p>${t.changePasswordIntro}</p>
<form method="post" action="/account/password" aria-labelledby="change-password">
${currentPassword(t, 'current-password-for-password', !!passwordProblem)}
${newPasswordField(props.minLength, passwordProblem, false, 'new_password', t.newPassword, t)}
<button type="submit">${t.changePassword}</button>
</form>
<h2 id="change-email">${t.changeEmail}</h2>
<p>${t.changeEmailIntro}</p>
<form method="post" action="/account/email" aria-labelledby="change-email">
<label for="new_email">${t.newEmail}</label>
<input id="new_email" name="new_email" type="email" autocomplete="email" required maxlength="254" value="${props.newEmail ?? ''}"${emailProblem ? html` aria-invalid="true" aria-describedby="email-problem" autofocus` : ''}>
${emailProblem ? html`<p class="field-error" id="email-problem">${emailProblem}</p>` : ''}
${currentPassword(t, 'current-password-for-email')}
<button type="submit">${t.sendConfirmationLink}</button>
</form>
${twoStepSection({ locale: props.locale, recoveryCodesLeft: props.twoStep?.recoveryCodesLeft })}
${languageChoice(t, props.savedLocale)}
<h2 id="sessions">${t.sessions}</h2>
<form method="post" action="/account/sign-out-everywhere" aria-labelledby="sessions">
<p>${t.sessionsIntro}</p>
<button type="submit" class="secondary">${t.signOutEverywhere}</button>
</form>
<form method="post" action="/account/sign-out"><button type="submit" class="secondary">${t.signOutHere}</button></form>
<h2 id="your-data">${t.yourData}</h2>
<p>${t.dataExport(html`<a href="/account/export" download>${t.downloadData}</a>`)}</p>
<h2 id="delete-account">${t.deleteAccount}</h2>
<p>${t.deleteAccountIntro(String(props.auditRetentionDays))}</p>
<form method="post" action="/account/delete" aria-labelledby="delete-account">
${currentPassword(t, 'current-password-for-delete', !!deleteProblem)}
${deleteProblem ? html`<p class="field-error" id="delete-problem" role="alert">${deleteProblem}</p>` : ''}
<button type="submit" class="danger">${t.deleteMyAccount}</button>
</form>`,
  });
}

/** A pending change of address, before the link is used: a mail scanner opening it changes nothing. */
export function confirmEmailChangePage(props: { nonce: string; token: string; to: string; locale?: Locale | undefined }): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.confirmNewEmail,
    nonce: props.nonce,
    locale: props.locale,
    body: html`<h1>${t.confirmNewEmail}</h1>
<p>${t.useAsAddress(html`<strong>${props.to}</strong>`)}</p>
<form method="post" action="/account/email/confirm">
<input type="hidden" name="token" value="${props.token}">
<button type="submit">${t.useThisAddress}</button>
</form>`,
  });
}
