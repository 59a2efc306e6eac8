import { html } from 'hono/html';
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
}

/**
 * One tap instead of a silent code: the browser's session approves a request for an app whose
 * identity the redirect cannot prove only once the person confirms it (RFC 8252 section 8.6).
 */
export function continuePage(props: ContinuePageProps): Html {
  return layout({
    title: `Continue to ${props.clientName}?`,
    nonce: props.nonce,
    accent: props.accent,
    brand: { name: props.clientName, logoUri: props.logoUri },
    body: html`<h1>Continue to ${props.clientName}?</h1>
<p class="account">Signed in as <strong>${props.email}</strong></p>
${unverifiedAppNotice(props.unverified)}<form method="post" action="/login/continue">
<input type="hidden" name="request_id" value="${props.requestId}">
<button type="submit">Continue as ${props.email}</button>
</form>
<p><a href="/login?account=another">Use another account</a></p>`,
  });
}
