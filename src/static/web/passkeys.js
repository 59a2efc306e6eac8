// Passkeys are progressive enhancement, like the show-password toggle: the forms ship `hidden` and
// this script (under the page's nonce, no inline handler, no other origin, no fetch) reveals them
// where WebAuthn exists. It runs the ceremony with the challenge the page carries, puts the
// credential's JSON in the form's hidden field and submits the form, so the server answers as it
// answers the password form (a 303 to the app, consent, or the page with a message). On the login
// page it also offers passkeys in the email field's autofill (conditional mediation) where it can.
(()=>{if(!window.PublicKeyCredential)return;
const b64u=(b)=>btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g,'-').replace(/\//g,'_').replace(/=+$/,'');
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
authenticatorData:b64u(r.getAuthenticatorData()),publicKey:b64u(r.getPublicKey()),publicKeyAlgorithm:r.getPublicKeyAlgorithm(),transports:r.getTransports()}})}).catch(()=>fail(form))})}})();
