import { html } from 'hono/html';
import type { Messages } from '../i18n/messages';
import type { Html } from './layout';

/* The forms below are revealed and driven by src/static/web/passkeys.js; without it they stay hidden. */

/** The login page's passkey button: a discoverable-credential sign-in, no email needed. */
export function passkeySignInForm(props: { requestId: string; challenge: string; rpId: string }, t: Messages): Html {
  return html`<form method="post" action="/login/passkey" class="passkey" data-passkey="get" data-challenge="${props.challenge}" data-rp-id="${props.rpId}" data-error="${t.passkeyUnavailable}" hidden>
<input type="hidden" name="request_id" value="${props.requestId}">
<input type="hidden" name="credential">
<button type="submit" class="secondary">${t.signInWithPasskey}</button>
<output role="status"></output>
</form>`;
}

export interface PasskeyListItem {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/** What the account page needs to offer a new passkey: the sealed challenge and who it is for. */
export interface PasskeyEnrolment {
  challenge: string;
  rpId: string;
  rpName: string;
  userHandle: string;
  userName: string;
}

const day = (iso: string) => iso.slice(0, 10);

/** The account page's passkeys: each can be renamed or removed without script; creating one needs it. */
export function passkeySection(passkeys: readonly PasskeyListItem[], enrolment: PasskeyEnrolment, t: Messages): Html {
  const items = passkeys.map(
    (p, i) => html`<li><strong>${p.name}</strong> <span class="hint">${p.last_used_at ? t.passkeyUsed(day(p.created_at), day(p.last_used_at)) : t.passkeyNeverUsed(day(p.created_at))}</span>
<form method="post" action="/account/passkeys/rename" class="inline"><input type="hidden" name="id" value="${p.id}"><label for="passkey-rename-${i}">${t.passkeyNewName}</label>
<input id="passkey-rename-${i}" name="name" maxlength="64" required value="${p.name}"><button type="submit" class="secondary">${t.renamePasskey}</button></form>
<form method="post" action="/account/passkeys/remove" class="inline"><input type="hidden" name="id" value="${p.id}"><button type="submit" class="danger">${t.removePasskey}</button></form></li>`,
  );
  return html`<h2 id="passkeys">${t.passkeys}</h2>
<p>${t.passkeysIntro}</p>
${passkeys.length === 0 ? html`<p>${t.noPasskeys}</p>` : html`<ul class="passkeys">${items}</ul>`}
<form method="post" action="/account/passkeys" aria-labelledby="passkeys" data-passkey="create" data-challenge="${enrolment.challenge}" data-rp-id="${enrolment.rpId}" data-rp-name="${enrolment.rpName}" data-user-id="${enrolment.userHandle}" data-user-name="${enrolment.userName}" data-exclude="${passkeys.map((p) => p.id).join(' ')}" data-error="${t.passkeyNotAdded}" hidden>
<label for="passkey-name">${t.passkeyName}</label>
<input id="passkey-name" name="name" maxlength="64" autocomplete="off">
<input type="hidden" name="credential">
<button type="submit">${t.createPasskey}</button>
<output role="status"></output>
</form>`;
}
