import { html } from 'hono/html';
import type { Html } from './layout';

/**
 * The show-password control is progressive enhancement: the button ships `hidden`, and only
 * src/static/web/show-password.js (under the page's nonce, no inline handler) reveals and wires it, so without
 * JavaScript the field is a plain password field. A toggle button in the ARIA sense: its name stays
 * "Show password" and `aria-pressed` says whether it is on. The field is masked again when the form
 * is sent, so the browser never files the password as ordinary text.
 */

const EYE = html`<svg class="eye" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3"/></svg>`;
const EYE_OFF = html`<svg class="eye-off" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M3 3l18 18M10.6 5.1A10 10 0 0 1 12 5c6.4 0 10 7 10 7a17 17 0 0 1-3.2 4M6.6 6.6A17 17 0 0 0 2 12s3.6 7 10 7a9.7 9.7 0 0 0 5.4-1.6M9.9 9.9a3 3 0 0 0 4.2 4.2"/></svg>`;

/** A password field with its (hidden until scripted) show/hide toggle; `attributes` go on the input, `label` names the toggle. */
export function passwordField(props: { id: string; name: string; autocomplete: string; attributes: Html | string; label?: string }): Html {
  return html`<div class="secret">
<input id="${props.id}" name="${props.name}" type="password" autocomplete="${props.autocomplete}" required${props.attributes}>
<button type="button" class="reveal" aria-controls="${props.id}" aria-pressed="false" hidden><span class="visually-hidden">${props.label ?? 'Show password'}</span>${EYE}${EYE_OFF}</button>
</div>`;
}
