import { html, raw } from 'hono/html';
import { renderSVG } from 'uqr';
import { messagesFor, type Locale } from '../i18n/messages';
import { layout, type Brand, type Html } from './layout';

/** Where a page's form posts, with the hidden fields that bind it to its request or sign-in. */
export interface FactorForm {
  action: string;
  hidden: Record<string, string>;
  method?: 'get' | 'post' | undefined;
}

interface FactorPageProps {
  nonce: string;
  locale?: Locale | undefined;
  form: FactorForm;
  brand?: Brand | undefined;
  error?: string | undefined;
}

const hiddenFields = (hidden: Record<string, string>) =>
  Object.entries(hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);

const errorLine = (error: string | undefined) => (error ? html`<p class="error" id="code-problem" role="alert">${error}</p>` : '');

/** One field for a code: digits from an app (autofilled by the phone's one-time-code support), or a recovery code. */
function codeField(label: string, recovery: boolean, error: string | undefined): Html {
  const invalid = error ? html` aria-invalid="true" aria-describedby="code-problem"` : '';
  return recovery
    ? html`<label for="recovery_code">${label}</label>
<input id="recovery_code" name="recovery_code" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" required maxlength="32" autofocus${invalid}>`
    : html`<label for="code">${label}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,8}" required maxlength="8" autofocus${invalid}>`;
}

function switchTo(props: { switchHref?: string | undefined; switchForm?: FactorForm | undefined }, label: string): Html | string {
  if (props.switchHref) return html`<p class="links"><a href="${props.switchHref}">${label}</a></p>`;
  if (!props.switchForm) return '';
  return html`<form method="post" action="${props.switchForm.action}">${hiddenFields(props.switchForm.hidden)}<button type="submit" class="secondary">${label}</button></form>`;
}

/**
 * The second step of a sign-in: a code from the authenticator app, or (`recovery`) a recovery code.
 * The other kind is a link (`switchHref`), or a form posting `switchForm` where the page's state
 * travels in the form (the account page).
 */
export function secondFactorPage(props: FactorPageProps & { recovery: boolean; switchHref?: string | undefined; switchForm?: FactorForm | undefined }): Html {
  const t = messagesFor(props.locale);
  return layout({
    title: t.twoStepTitle,
    nonce: props.nonce,
    locale: props.locale,
    brand: props.brand,
    body: html`<h1>${t.twoStepTitle}</h1>
<p>${props.recovery ? t.enterRecoveryCode : t.enterAppCode}</p>
${errorLine(props.error)}<form method="post" action="${props.form.action}">
${hiddenFields(props.form.hidden)}${codeField(props.recovery ? t.recoveryCode : t.authenticatorCode, props.recovery, props.error)}
<button type="submit">${t.verify}</button>
</form>
${switchTo(props, props.recovery ? t.useAppCode : t.useRecoveryCode)}`,
  });
}

/**
 * Enrolment: the `otpauth://` URI as a QR code drawn on the server (an SVG, no script), the secret
 * in text for typing by hand, and the first code to prove the app has it.
 */
export function enrolPage(props: FactorPageProps & { secret: string; uri: string; requiredBy?: string | undefined }): Html {
  const t = messagesFor(props.locale);
  const qr = renderSVG(props.uri).replace('<svg ', `<svg width="200" height="200" role="img" aria-label="${t.qrCodeLabel}" `);
  const grouped = props.secret.replace(/(.{4})/g, '$1 ').trim();
  return layout({
    title: t.setUpAppTitle,
    nonce: props.nonce,
    locale: props.locale,
    brand: props.brand,
    body: html`<h1>${t.setUpAppTitle}</h1>
${props.requiredBy ? html`<p>${t.setUpRequired(props.requiredBy)}</p>` : ''}
<p>${t.setUpAppIntro}</p>
<p class="qr">${raw(qr)}</p>
<p>${t.manualKey}</p>
<pre id="secret">${grouped}</pre>
${errorLine(props.error)}<form method="post" action="${props.form.action}">
${hiddenFields(props.form.hidden)}${codeField(t.authenticatorCode, false, props.error)}
<button type="submit">${t.verify}</button>
</form>`,
  });
}

/** The recovery codes, shown once, then on: back to the pending request, or to the account page. */
export function recoveryCodesPage(props: { nonce: string; locale?: Locale | undefined; codes: string[]; next: FactorForm }): Html {
  const t = messagesFor(props.locale);
  const next = html`<form method="${props.next.method ?? 'post'}" action="${props.next.action}">${hiddenFields(props.next.hidden)}<button type="submit" autofocus>${t.continue}</button></form>`;
  return layout({
    title: t.recoveryCodesTitle,
    nonce: props.nonce,
    locale: props.locale,
    body: html`<h1>${t.recoveryCodesTitle}</h1>
<p>${t.recoveryCodesIntro}</p>
<pre id="recovery-codes">${props.codes.join('\n')}</pre>
${next}`,
  });
}

/** The account page's section: on (with the codes left and the way to turn it off) or off. */
export function twoStepSection(props: { locale?: Locale | undefined; recoveryCodesLeft: number | undefined }): Html {
  const t = messagesFor(props.locale);
  if (props.recoveryCodesLeft === undefined) {
    return html`<h2 id="two-step">${t.twoStepTitle}</h2>
<p>${t.twoStepOff}</p>
<p><a href="/account/two-step">${t.setUpApp}</a></p>`;
  }
  return html`<h2 id="two-step">${t.twoStepTitle}</h2>
<p>${t.twoStepOn(String(props.recoveryCodesLeft))}</p>
<form method="post" action="/account/two-step/remove" aria-labelledby="two-step">
<p>${t.turnOffIntro}</p>
<label for="two-step-password">${t.currentPassword}</label>
<input id="two-step-password" name="current_password" type="password" autocomplete="current-password" maxlength="1024">
<label for="two-step-code">${t.authenticatorCode}</label>
<input id="two-step-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8">
<button type="submit" class="secondary">${t.turnOffTwoStep}</button>
</form>`;
}
