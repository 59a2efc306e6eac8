import { html } from 'hono/html';
import type { Messages } from '../i18n/messages';
import type { Html } from './layout';

/**
 * A client nobody verified: it registered itself (RFC 7591), or it is known only by its metadata
 * document (its client_id is a URL, named by the site that publishes it).
 */
export interface UnverifiedApp {
  /** Where the code would go: the one thing a person can check (src/oauth/client-metadata.ts). */
  destination: { place: string; onThisDevice: boolean };
  /** The host that published its metadata document, for a client_id that is a URL. */
  publishedBy?: string | undefined;
}

/** Its name is its own claim, so the page says so, and where the code would go. */
export function unverifiedAppNotice(app: UnverifiedApp | undefined, t: Messages): Html | '' {
  if (!app) return '';
  const why = app.publishedBy
    ? html`<strong>${t.unverifiedApp}</strong> ${t.nameComesFrom(app.publishedBy)}`
    : t.selfRegistered;
  const { place, onThisDevice } = app.destination;
  const destination = html`<strong>${onThisDevice ? t.onThisDevice(place) : place}</strong>`;
  return html`<p role="note">${why} ${t.allowOnlyIfExpected} ${t.sentBackTo(destination)}</p>
`;
}
