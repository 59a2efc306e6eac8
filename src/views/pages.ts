import { html } from 'hono/html';
import { layout, type Html } from './layout';
import { passwordField, SHOW_PASSWORD_SCRIPT } from './show-password';
import { unverifiedAppNotice, type UnverifiedApp } from './unverified-app';

export interface LoginPageProps {
  nonce: string;
  clientName: string;
  requestId: string;
  logoUri?: string | null | undefined;
  accent?: string | null | undefined;
  email?: string | undefined;
  error?: string | undefined;
  /** The client lets people create an account here (per-client `allow_signup`). */
  allowSignup?: boolean | undefined;
  /** A client known only by its metadata document: the site that named it. */
  publishedBy?: string | undefined;
}

/** Under the app's name, when nobody vouched for it: the site its name comes from. */
export const unverifiedNote = (publishedBy: string | undefined) =>
  publishedBy === undefined ? '' : html`<p class="hint">Unverified app: its name comes from ${publishedBy}.</p>`;

export function loginPage(props: LoginPageProps): Html {
  // After an error both fields point at it, and focus goes where the person must type next.
  const invalid = props.error ? html` aria-invalid="true" aria-describedby="login-error"` : '';
  const emailKept = props.email !== undefined && props.email !== '';
  return layout({
    title: `Sign in · ${props.clientName}`,
    nonce: props.nonce,
    accent: props.accent,
    brand: { name: props.clientName, logoUri: props.logoUri },
    script: SHOW_PASSWORD_SCRIPT,
    body: html`<h1>Sign in</h1>
<p>to continue to ${props.clientName}</p>
${unverifiedNote(props.publishedBy)}
${props.error ? html`<p class="error" role="alert" id="login-error">${props.error}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="request_id" value="${props.requestId}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required${emailKept ? '' : html` autofocus`} value="${props.email ?? ''}"${invalid}>
<label for="password">Password</label>
${passwordField({ id: 'password', name: 'password', autocomplete: 'current-password', attributes: html`${emailKept ? html` autofocus` : ''}${invalid}` })}
<button type="submit">Continue</button>
</form>
<p class="links"><a href="/forgot">Forgot password?</a>${props.allowSignup ? html`<a href="/signup">Create account</a>` : ''}</p>`,
  });
}

/** OIDC scopes in words a person understands; an API's scopes in the API's own words (its scope descriptions). */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'Confirm who you are',
  profile: 'Your name and profile',
  email: 'Your email address',
  offline_access: 'Stay signed in when you are not using the app',
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
}

export function consentPage(props: ConsentPageProps): Html {
  const words = (scope: string) => SCOPE_WORDS[scope] ?? (Object.hasOwn(props.scopeDescriptions, scope) ? props.scopeDescriptions[scope] : undefined) ?? scope;
  const items = props.scopes.map((scope) => html`<li>${words(scope)}</li>`);
  const account = props.email
    ? html`<form class="account" method="post" action="/consent">
<input type="hidden" name="request_id" value="${props.requestId}">
Signed in as <strong>${props.email}</strong> · <button type="submit" name="decision" value="another_account" class="link">Not you?</button>
</form>`
    : '';
  return layout({
    title: `Allow ${props.clientName}?`,
    nonce: props.nonce,
    accent: props.accent,
    brand: { name: props.clientName, logoUri: props.logoUri },
    body: html`<h1>Allow ${props.clientName}?</h1>
${account}
${unverifiedAppNotice(props.unverified)}<p>${props.clientName} asks to use ${props.apiName} on your behalf, to:</p>
<ul>${items.length ? items : html`<li>Confirm who you are</li>`}</ul>
<form method="post" action="/consent">
<input type="hidden" name="request_id" value="${props.requestId}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  });
}

/** What an error page shows: the public words, the OAuth error code, and the id its log line carries. */
export interface ErrorPageProps {
  title: string;
  description: string;
  code: string;
  requestId: string;
}

export function errorPage(props: ErrorPageProps & { nonce: string }): Html {
  return layout({
    title: props.title,
    nonce: props.nonce,
    body: html`<h1>${props.title}</h1>
<p role="alert">${props.description}</p>
<p>Return to the app and try signing in again.</p>
<p class="reference">Error <code>${props.code}</code> · Request ID <code>${props.requestId}</code></p>`,
  });
}

export function logoutConfirmPage(props: { nonce: string; confirmation: string }): Html {
  return layout({
    title: 'Sign out?',
    nonce: props.nonce,
    body: html`<h1>Sign out?</h1>
<p>You will need to sign in again the next time an app asks.</p>
<form method="post" action="/logout">
<input type="hidden" name="confirmation" value="${props.confirmation}">
<button type="submit">Sign out</button>
</form>`,
  });
}

export function signedOutPage(props: { nonce: string }): Html {
  return layout({
    title: 'You are signed out',
    nonce: props.nonce,
    body: html`<h1>You are signed out</h1>
<p>You can close this window and return to the app.</p>`,
  });
}
