import { html } from 'hono/html';
import type { Html } from './layout';

/**
 * A client nobody verified: it registered itself (RFC 7591), or it is known only by its metadata
 * document (its client_id is a URL, named by the site that publishes it).
 */
export interface UnverifiedApp {
  /** Where the code would go, in words: the one thing a person can check. */
  destination: string;
  /** The host that published its metadata document, for a client_id that is a URL. */
  publishedBy?: string | undefined;
}

/** Its name is its own claim, so the page says so, and where the code would go. */
export function unverifiedAppNotice(app: UnverifiedApp | undefined): Html | '' {
  if (!app) return '';
  const why = app.publishedBy
    ? html`<strong>Unverified app.</strong> Its name comes from ${app.publishedBy}, not from this service.`
    : html`This app registered itself: its name is not verified.`;
  return html`<p role="note">${why} Allow only if you started this from the app you expect. You will be sent back to <strong>${app.destination}</strong>.</p>
`;
}
