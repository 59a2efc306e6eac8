import { html } from 'hono/html';
import { messagesFor, type Locale } from '../i18n/messages';
import { layout, type Html } from './layout';
import { passwordField } from './show-password';

/** Why an upstream sign-in ended without signing in, as the page says it. */
export type FederationProblem = 'denied' | 'unavailable' | 'refused' | 'expired' | 'email_taken';

/**
 * An upstream sign-in that did not work: what happened in words, and the way back to the login
 * form of the same request (or the account page, when there is no request left).
 */
export function federationErrorPage(props: { nonce: string; problem: FederationProblem; provider: string; locale?: Locale | undefined; requestId: string; canRetry: boolean }): Html {
  const t = messagesFor(props.locale);
  const words = {
    denied: t.federationDenied(props.provider),
    unavailable: t.federationUnavailable(props.provider),
    refused: t.federationRefused(props.provider),
    expired: t.federationExpired,
    email_taken: t.federationEmailTaken,
  }[props.problem];
  return layout({
    title: t.federationFailedTitle,
    nonce: props.nonce,
    locale: props.locale,
    body: html`<h1>${t.federationFailedTitle}</h1>
<p role="alert">${words}</p>
${props.canRetry ? html`<p class="links"><a href="/login">${t.backToSignIn}</a></p>` : html`<p>${t.errorReturnToApp}</p>`}
<p class="reference">${t.errorReference(html`<code>federation_${props.problem}</code>`, html`<code>${props.requestId}</code>`)}</p>`,
  });
}

/** A verified upstream address that has an account here: its password proves the person owns both. */
export function linkAccountPage(props: { nonce: string; provider: string; email: string; locale?: Locale | undefined; failed?: boolean | undefined }): Html {
  const t = messagesFor(props.locale);
  const invalid = props.failed ? html` aria-invalid="true" aria-describedby="login-error"` : '';
  return layout({
    title: t.linkTitle,
    nonce: props.nonce,
    locale: props.locale,
    scripts: ['show-password.js'],
    body: html`<h1>${t.linkTitle}</h1>
<p>${t.linkIntro(props.provider, html`<strong>${props.email}</strong>`)}</p>
${props.failed ? html`<p class="error" role="alert" id="login-error">${t.loginFailed}</p>` : ''}
<form method="post" action="/login/federated/link">
<input type="hidden" name="email" autocomplete="username" value="${props.email}">
<label for="password">${t.password}</label>
${passwordField({ id: 'password', name: 'password', autocomplete: 'current-password', label: t.showPassword, attributes: html` autofocus${invalid}` })}
<button type="submit">${t.linkAction}</button>
</form>
<p class="links"><a href="/login">${t.backToSignIn}</a><a href="/forgot">${t.forgotPassword}</a></p>`,
  });
}
