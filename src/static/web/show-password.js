// The show/hide toggles of password fields (src/views/show-password.ts): hidden until this reveals them.
for(const button of document.querySelectorAll('button.reveal')){
const input=document.getElementById(button.getAttribute('aria-controls'));
if(!input)continue;
const set=(shown)=>{input.type=shown?'text':'password';button.setAttribute('aria-pressed',String(shown))};
button.addEventListener('click',()=>set(input.type==='password'));
input.form?.addEventListener('submit',()=>set(false));
button.hidden=false};
