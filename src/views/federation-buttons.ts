import { html, raw } from 'hono/html';
import type { Messages } from '../i18n/messages';
import type { Html } from './layout';

/** A connection as the login page offers it. */
export interface FederationButton {
  name: string;
  type: 'oidc' | 'google' | 'apple' | 'github';
  displayName: string;
}

/** Google's "G" in its four colours (Google Identity branding guidelines). */
const GOOGLE_G = raw(
  '<svg viewBox="0 0 48 48" aria-hidden="true"><path fill="#EA4335" d="M24 9.5c3.5 0 6.7 1.2 9.2 3.6l6.9-6.9C35.9 2.4 30.5 0 24 0 14.6 0 6.6 5.4 2.7 13.3l8 6.2C12.6 13.6 17.8 9.5 24 9.5z"/><path fill="#4285F4" d="M46.1 24.5c0-1.6-.1-3.1-.4-4.5H24v9h12.4c-.5 2.9-2.2 5.3-4.6 7l7.4 5.7c4.3-4 6.9-9.9 6.9-17.2z"/><path fill="#FBBC05" d="M10.7 28.5A14.5 14.5 0 0 1 9.5 24c0-1.6.3-3.1.8-4.5l-8-6.2A24 24 0 0 0 0 24c0 3.9.9 7.5 2.7 10.7l8-6.2z"/><path fill="#34A853" d="M24 48c6.5 0 11.9-2.1 15.9-5.8l-7.4-5.7c-2.1 1.4-4.8 2.3-8.5 2.3-6.2 0-11.4-4.1-13.3-9.8l-8 6.2C6.6 42.6 14.6 48 24 48z"/></svg>',
);

/** Apple's logo, white on the black button (Sign in with Apple, Human Interface Guidelines). */
const APPLE_LOGO = raw(
  '<svg viewBox="0 0 17 20" aria-hidden="true"><path fill="currentColor" d="M14.2 10.6c0-2.6 2.1-3.8 2.2-3.9-1.2-1.8-3.1-2-3.7-2-1.6-.2-3.1.9-3.9.9-.8 0-2-.9-3.4-.9C3.7 4.8 2 5.8 1.1 7.400c-1.9 3.2-.5 8 1.3 10.6.9 1.3 1.9 2.7 3.3 2.6 1.3-.1 1.8-.8 3.4-.8s2 .8 3.4.8c1.4 0 2.3-1.3 3.2-2.6 1-1.5 1.4-2.9 1.4-3-.1 0-2.7-1-2.9-4.400zM11.7 3c.7-.9 1.2-2.1 1.1-3.3-1 0-2.3.7-3 1.6-.7.8-1.3 2-1.1 3.2 1.1.1 2.3-.6 3-1.500z"/></svg>',
);

/** Each provider's own wording and look: Apple's and Google's brand rules; others neutral. */
function button(connection: FederationButton, t: Messages): Html {
  const href = `/login/federated/${connection.name}`;
  if (connection.type === 'apple') return html`<a class="idp apple" href="${href}">${APPLE_LOGO}<span>${t.signInWithApple}</span></a>`;
  if (connection.type === 'google') return html`<a class="idp google" href="${href}">${GOOGLE_G}<span>${t.continueWith('Google')}</span></a>`;
  return html`<a class="idp" href="${href}"><span>${t.continueWith(connection.displayName)}</span></a>`;
}

/**
 * Links, not forms: a top-level GET navigation needs no script, carries the SameSite=Lax cookie of
 * the pending request, and its redirect to the upstream is not bound by the page's form-action.
 */
export function federationButtons(connections: readonly FederationButton[] | undefined, t: Messages): Html | string {
  if (!connections?.length) return '';
  return html`<p class="or">${t.orDivider}</p>
<nav aria-label="${t.signIn}">${connections.map((connection) => button(connection, t))}</nav>`;
}
