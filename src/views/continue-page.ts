import { html } from 'hono/html';
import { messagesFor, type Locale } from '../i18n/messages';
import { layout, type Html } from './layout';
import { unverifiedAppNotice, type UnverifiedApp } from './unverified-app';

export interface ContinuePageProps {
  nonce: string;
  clientName: string;
  requestId: string;
  /** Who the browser is signed in as. */
  email: string;
  logoUri?: string | null | undefined;
  accent?: string | null | undefined;
  /** A client nobody verified (src/views/unverified-app.ts). */
  unverified?: UnverifiedApp | undefined;
  /** The language of the flow; English when not given. */
  locale?: Locale | undefined;
}

/**
 * One tap instead of a silent code: the browser's session approves a request for an app whose
 * identity the redirect cannot prove only once the person confirms it (RFC 8252 section 8.6).
 */
export function continuePage(props: ContinuePageProps): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.continueTo(props.clientName),
    nonce: props.nonce,
    locale: props.locale,
    accent: props.accent,
    brand: { name: props.clientName, logoUri: props.logoUri },
    body: html`<h1>${t.continueTo(props.clientName)}</h1>
<p class="account">${t.signedInAs(html`<strong>${props.email}</strong>`)}</p>
${unverifiedAppNotice(props.unverified, t)}<form method="post" action="/login/continue">
<input type="hidden" name="request_id" value="${props.requestId}">
<button type="submit">${t.continueAs(props.email)}</button>
</form>
<p><a href="/login?account=another">${t.useAnotherAccount}</a></p>`,
  });
}
