import { html } from 'hono/html';
import { messagesFor, type Locale, type Messages, type TextKey } from '../i18n/messages';
import { layout, type Html } from './layout';
import { federationButtons, type FederationButton } from './federation-buttons';
import { passkeySignInForm } from './passkey-views';
import { passwordField } from './show-password';
import { unverifiedAppNotice, type UnverifiedApp } from './unverified-app';

export interface LoginPageProps {
  nonce: string;
  clientName: string;
  requestId: string;
  logoUri?: string | null | undefined;
  accent?: string | null | undefined;
  email?: string | undefined;
  error?: LoginError | undefined;
  /** The language of the flow (src/i18n/negotiate.ts); English when not given. */
  locale?: Locale | undefined;
  /** The client lets people create an account here (per-client `allow_signup`). */
  allowSignup?: boolean | undefined;
  /** A client known only by its metadata document: the site that named it. */
  publishedBy?: string | undefined;
  /** The upstream identity providers the client offers (per-client `connections`). */
  connections?: readonly FederationButton[] | undefined;
  /** A sealed challenge for a passkey sign-in (src/interaction/passkey-challenge.ts) and the RP ID. */
  passkey?: { challenge: string; rpId: string } | undefined;
}

/** What the login form can say went wrong, as catalogue keys: one text for every refusal (src/routes/login.ts). */
export type LoginError = 'loginFailed' | 'loginIncomplete' | 'passkeyFailed';

/** Under the app's name, when nobody vouched for it: the site its name comes from. */
const unverifiedNote = (publishedBy: string | undefined, t: Messages) =>
  publishedBy === undefined ? '' : html`<p class="hint">${t.unverifiedNamedBy(publishedBy)}</p>`;

export function loginPage(props: LoginPageProps): Html {
  // After an error both fields point at it, and focus goes where the person must type next.
  const invalid = props.error ? html` aria-invalid="true" aria-describedby="login-error"` : '';
  const emailKept = props.email !== undefined && props.email !== '';
  const t = messagesFor(props.locale);
  return layout({
    title: t.signInTitle(props.clientName),
    nonce: props.nonce,
    locale: props.locale,
    accent: props.accent,
    brand: { name: props.clientName, logoUri: props.logoUri },
    scripts: props.passkey ? ['show-password.js', 'passkeys.js'] : ['show-password.js'],
    body: html`<h1>${t.signIn}</h1>
<p>${t.toContinueTo(props.clientName)}</p>
${unverifiedNote(props.publishedBy, t)}
${props.error ? html`<p class="error" role="alert" id="login-error">${t[props.error]}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="request_id" value="${props.requestId}">
<label for="email">${t.email}</label>
<input id="email" name="email" type="email" autocomplete="${props.passkey ? 'username webauthn' : 'username'}" required${emailKept ? '' : html` autofocus`} value="${props.email ?? ''}"${invalid}>
<label for="password">${t.password}</label>
${passwordField({ id: 'password', name: 'password', autocomplete: 'current-password', label: t.showPassword, attributes: html`${emailKept ? html` autofocus` : ''}${invalid}` })}
<button type="submit">${t.continue}</button>
</form>
${federationButtons(props.connections, t)}
${props.passkey ? passkeySignInForm({ requestId: props.requestId, ...props.passkey }, t) : ''}
<p class="links"><a href="/forgot">${t.forgotPassword}</a>${props.allowSignup ? html`<a href="/signup">${t.createAccount}</a>` : ''}</p>`,
  });
}

/**
 * OIDC scopes in words a person understands, in the page's language; an API's scopes in the API's
 * own words (its scope descriptions, as configured).
 */
const SCOPE_WORDS: Record<string, 'scopeOpenid' | 'scopeProfile' | 'scopeEmail' | 'scopeOfflineAccess'> = {
  openid: 'scopeOpenid',
  profile: 'scopeProfile',
  email: 'scopeEmail',
  offline_access: 'scopeOfflineAccess',
};

export interface ConsentPageProps {
  nonce: string;
  clientName: string;
  requestId: string;
  scopes: readonly string[];
  /** The API the permissions are for (consent is remembered per client and API). */
  apiName: string;
  /** The API's words for its scopes; a scope without any is shown by its name. */
  scopeDescriptions: Readonly<Record<string, string>>;
  logoUri?: string | null | undefined;
  accent?: string | null | undefined;
  /** Who is signed in, when the account still exists: "Not you?" starts over with another account. */
  email?: string | undefined;
  /**
   * For a client nobody verified (it registered itself, or it is known by its metadata document):
   * its name is its own claim; the page says so and where the code would go.
   */
  unverified?: UnverifiedApp | undefined;
  locale?: Locale | undefined;
}

export function consentPage(props: ConsentPageProps): Html {
  const t = messagesFor(props.locale);
  const oidcWords = (scope: string) => (Object.hasOwn(SCOPE_WORDS, scope) ? t[SCOPE_WORDS[scope]!] : undefined);
  const words = (scope: string) => oidcWords(scope) ?? (Object.hasOwn(props.scopeDescriptions, scope) ? props.scopeDescriptions[scope] : undefined) ?? scope;
  const items = props.scopes.map((scope) => html`<li>${words(scope)}</li>`);
  const account = props.email
    ? html`<form class="account" method="post" action="/consent">
<input type="hidden" name="request_id" value="${props.requestId}">
${t.signedInAs(html`<strong>${props.email}</strong>`)} · <button type="submit" name="decision" value="another_account" class="link">${t.notYou}</button>
</form>`
    : '';
  return layout({
    title: t.allowApp(props.clientName),
    nonce: props.nonce,
    locale: props.locale,
    accent: props.accent,
    brand: { name: props.clientName, logoUri: props.logoUri },
    body: html`<h1>${t.allowApp(props.clientName)}</h1>
${account}
${unverifiedAppNotice(props.unverified, t)}<p>${t.asksToUse(props.clientName, props.apiName)}</p>
<ul>${items.length ? items : html`<li>${t.scopeOpenid}</li>`}</ul>
<form method="post" action="/consent">
<input type="hidden" name="request_id" value="${props.requestId}">
<button type="submit" name="decision" value="allow">${t.allow}</button>
<button type="submit" name="decision" value="deny" class="secondary">${t.deny}</button>
</form>`,
  });
}

/** An error page's title and description as catalogue keys: a person reads them in their language. */
export interface PageWords {
  title: TextKey;
  description: TextKey;
}

/** What an error page shows: the public words, the OAuth error code, and the id its log line carries. */
export interface ErrorPageProps {
  title: string;
  description: string;
  code: string;
  requestId: string;
  /** The title and description as catalogue keys, when the error has them: then they follow `locale`. */
  words?: PageWords | undefined;
}

export function errorPage(props: ErrorPageProps & { nonce: string; locale?: Locale | undefined }): Html {
  const t = messagesFor(props.locale);
  const title = props.words ? t[props.words.title] : props.title;
  return layout({
    title,
    nonce: props.nonce,
    locale: props.locale,
    body: html`<h1>${title}</h1>
<p role="alert">${props.words ? t[props.words.description] : props.description}</p>
<p>${t.errorReturnToApp}</p>
<p class="reference">${t.errorReference(html`<code>${props.code}</code>`, html`<code>${props.requestId}</code>`)}</p>`,
  });
}

export function logoutConfirmPage(props: { nonce: string; confirmation: string; locale?: Locale | undefined }): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.signOutQuestion,
    nonce: props.nonce,
    locale: props.locale,
    body: html`<h1>${t.signOutQuestion}</h1>
<p>${t.signOutNextTime}</p>
<form method="post" action="/logout">
<input type="hidden" name="confirmation" value="${props.confirmation}">
<button type="submit">${t.signOut}</button>
</form>`,
  });
}

export function signedOutPage(props: { nonce: string; locale?: Locale | undefined }): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.signedOutTitle,
    nonce: props.nonce,
    locale: props.locale,
    body: html`<h1>${t.signedOutTitle}</h1>
<p>${t.signedOutClose}</p>`,
  });
}
