import { html } from 'hono/html';
import type { Messages } from '../i18n/messages';
import type { Html } from './layout';

/**
 * Passkeys are progressive enhancement, like the show-password toggle: the forms ship `hidden` and
 * this script (the page's nonce, no inline handler, no other origin, no fetch) reveals them where
 * WebAuthn exists. It runs the ceremony with the challenge the page carries, puts the credential's
 * JSON in the form's hidden field and submits the form, so the server answers as it answers the
 * password form (a 303 to the app, consent, or the page with a message). On the login page it also
 * offers passkeys in the email field's autofill (conditional mediation) where the browser can.
 */
export const PASSKEY_SCRIPT = `(()=>{if(!window.PublicKeyCredential)return;
const b64u=(b)=>btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g,'-').replace(/\\//g,'_').replace(/=+$/,'');
const bytes=(s)=>Uint8Array.from(atob(s.replace(/-/g,'+').replace(/_/g,'/')),(c)=>c.charCodeAt(0));
const send=(form,json)=>{form.elements.credential.value=JSON.stringify(json);form.submit()};
const fail=(form)=>{const out=form.querySelector('output');if(out)out.textContent=form.dataset.error};
for(const form of document.querySelectorAll('form[data-passkey]')){const d=form.dataset;form.hidden=false;
const options=()=>({challenge:bytes(d.challenge),rpId:d.rpId,userVerification:'required',timeout:300000});
if(d.passkey==='get'){let pending;
const get=async(mediation)=>{pending?.abort();const ctl=new AbortController();pending=ctl;
const c=await navigator.credentials.get({publicKey:options(),mediation,signal:ctl.signal});if(!c)throw new Error('none');const r=c.response;
send(form,{id:c.id,rawId:b64u(c.rawId),type:c.type,response:{clientDataJSON:b64u(r.clientDataJSON),authenticatorData:b64u(r.authenticatorData),signature:b64u(r.signature),userHandle:r.userHandle?b64u(r.userHandle):null}})};
form.addEventListener('submit',(e)=>{e.preventDefault();get('optional').catch((err)=>{if(err.name!=='AbortError')fail(form)})});
PublicKeyCredential.isConditionalMediationAvailable?.().then((ok)=>{if(ok)get('conditional').catch(()=>{})});}
else form.addEventListener('submit',(e)=>{e.preventDefault();
navigator.credentials.create({publicKey:{...options(),rp:{id:d.rpId,name:d.rpName},user:{id:bytes(d.userId),name:d.userName,displayName:d.userName},
pubKeyCredParams:[{type:'public-key',alg:-7},{type:'public-key',alg:-257}],attestation:'none',
authenticatorSelection:{residentKey:'required',requireResidentKey:true,userVerification:'required'},
excludeCredentials:(d.exclude?d.exclude.split(' '):[]).map((id)=>({type:'public-key',id:bytes(id)}))}}).then((c)=>{const r=c.response;
send(form,{id:c.id,rawId:b64u(c.rawId),type:c.type,response:{clientDataJSON:b64u(r.clientDataJSON),attestationObject:b64u(r.attestationObject),
authenticatorData:b64u(r.getAuthenticatorData()),publicKey:b64u(r.getPublicKey()),publicKeyAlgorithm:r.getPublicKeyAlgorithm(),transports:r.getTransports()}})}).catch(()=>fail(form))})}})()`;

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
