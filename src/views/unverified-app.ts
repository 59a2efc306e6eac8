import { html } from 'hono/html';
import type { Html } from './layout';

/**
 * For a client nobody verified (it registered itself, RFC 7591): its name is its own claim, so the
 * page says so and where the code would go, the one thing a person can check.
 */
export function unverifiedAppNotice(destination: string | undefined): Html | '' {
  if (!destination) return '';
  return html`<p role="note">This app registered itself: its name is not verified. Allow only if you started this from the app you expect. You will be sent back to <strong>${destination}</strong>.</p>
`;
}
