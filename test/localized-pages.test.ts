/**
 * The pages of the sign-in path speak the language the app asked for (ui_locales, OIDC Core
 * 3.1.2.1) or the browser prefers (Accept-Language), chosen once at /authorize and kept for the
 * rest of the flow; what goes back to the app stays English.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_EMAIL, DEMO_PASSWORD, DEMO_REDIRECT, PARTNER } from './helpers/fixtures';
import { call, cookieFrom, form, SESSION_COOKIE } from './helpers/http';
import { linkIn, mailTo } from './helpers/mailbox';
import { insertUsers } from './helpers/storage';
import { authorizePath, authorizeWith, defaultAuthorization, openLogin, pushAuthorization, pushedAuthorizePath, reachConsent, signIn, submitConsent, submitLogin } from './helpers/flow';
import { freshIp, unique } from './helpers/values';

/** A pending sign-in whose flow language is `locale` (ui_locales). */
async function startLoginIn(locale: string) {
  const { params, verifier } = await defaultAuthorization({ ui_locales: locale });
  return openLogin(await call(authorizePath(params)), verifier, params);
}

/** /authorize (with `headers`), then the page the browser is sent to. */
async function pageAfterAuthorize(params: Record<string, string | undefined>, headers: Record<string, string> = {}) {
  const authorized = await call(authorizePath(params), { headers });
  expect(authorized.status).toBe(302);
  expect(authorized.headers.get('Location')).toBe('/login');
  // The browser sends its languages with every request; the flow's language no longer follows them.
  const page = await call('/login', { headers: { Cookie: cookieFrom(authorized), 'Accept-Language': 'fr' } });
  expect(page.status).toBe(200);
  return page.text();
}

describe('localized sign-in pages', () => {
  it('ui_locales=ar: the login page is Arabic, right to left', async () => {
    const { params } = await defaultAuthorization({ ui_locales: 'ar' });
    const html = await pageAfterAuthorize(params, { 'Accept-Language': 'de' });
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('<h1>تسجيل الدخول</h1>');
    expect(html).toContain('<label for="password">كلمة المرور</label>');
    expect(html).not.toContain('Sign in');
  });

  it('the first supported ui_locales tag wins, by its language (de-CH is German)', async () => {
    const { params } = await defaultAuthorization({ ui_locales: 'tlh de-CH ja' });
    const html = await pageAfterAuthorize(params);
    expect(html).toContain('<html lang="de" dir="ltr">');
    expect(html).toContain('<h1>Anmelden</h1>');
  });

  it('without ui_locales, Accept-Language decides; without either, English', async () => {
    const { params } = await defaultAuthorization();
    const german = await pageAfterAuthorize(params, { 'Accept-Language': 'de-DE,de;q=0.9,en;q=0.8' });
    expect(german).toContain('<html lang="de" dir="ltr">');
    expect(german).toContain('<button type="submit">Weiter</button>');
    const english = await pageAfterAuthorize((await defaultAuthorization()).params);
    expect(english).toContain('<html lang="en" dir="ltr">');
    expect(english).toContain('<h1>Sign in</h1>');
  });

  it('a wrong password is answered in the flow language', async () => {
    const { params, verifier } = await defaultAuthorization({ ui_locales: 'ja' });
    const pending = await openLogin(await call(authorizePath(params)), verifier, params);
    const refused = await submitLogin(pending, { password: 'wrong-password' }, { 'CF-Connecting-IP': freshIp() });
    expect(refused.status).toBe(401);
    const page = await refused.text();
    expect(page).toContain('<html lang="ja" dir="ltr">');
    expect(page).toContain('メールアドレスまたはパスワードが正しくありません。');
  });

  it('the language is kept on the consent page after sign-in, and the refusal the app gets stays English', async () => {
    const consent = await reachConsent(DEMO_EMAIL, DEMO_PASSWORD, { ui_locales: 'ar' });
    const page = await call('/consent', { headers: { Cookie: consent.cookie, 'Accept-Language': 'en' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('<h1>هل تسمح لتطبيق Partner App؟</h1>');
    expect(html).toContain('<li>تأكيد هويتك</li>');
    expect(html).toContain('>رفض</button>');

    const denied = await submitConsent(consent, 'deny');
    expect(denied.status).toBe(303);
    const location = new URL(denied.headers.get('Location')!);
    expect(`${location.protocol}${location.pathname}`).toBe(PARTNER.redirect_uri);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toBe('The user denied the request.');
  });

  it('an invalid request redirected to the app is described in English whatever ui_locales says', async () => {
    const { params } = await defaultAuthorization({ ui_locales: 'ar', code_challenge_method: 'plain' });
    const refused = await call(authorizePath(params), { headers: { 'Accept-Language': 'ar' } });
    expect(refused.status).toBe(302);
    const location = new URL(refused.headers.get('Location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toBe('code_challenge_method must be S256.');
  });

  it('ui_locales is bounded like every parameter: an oversized one is refused to the app', async () => {
    const { params } = await defaultAuthorization({ ui_locales: 'de '.repeat(1000) });
    const refused = await call(authorizePath(params));
    expect(refused.status).toBe(302);
    const location = new URL(refused.headers.get('Location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toBe('The ui_locales parameter is too long.');
  });

  it('a pushed request (RFC 9126) carries its ui_locales; the front channel\'s is ignored like its other parameters', async () => {
    const { requestUri } = await pushAuthorization({ ui_locales: 'fr' });
    const authorized = await call(pushedAuthorizePath('demo-app', requestUri, { ui_locales: 'ja' }));
    expect(authorized.headers.get('Location')).toBe('/login');
    const html = await (await call('/login', { headers: { Cookie: cookieFrom(authorized) } })).text();
    expect(html).toContain('<html lang="fr" dir="ltr">');
    expect(html).toContain('<h1>Se connecter</h1>');
  });

  it('the one-tap continue page speaks the flow language', async () => {
    const { cookie: session } = await signIn();
    const { response } = await authorizeWith(session, { redirect_uri: DEMO_REDIRECT, ui_locales: 'es' });
    expect(response.headers.get('Location')).toBe('/login');
    const page = await call('/login', { headers: { Cookie: `${session}; ${cookieFrom(response)}` } });
    const html = await page.text();
    expect(html).toContain('<html lang="es" dir="ltr">');
    expect(html).toContain(`Continuar como ${DEMO_EMAIL}`);
    expect(html).toContain('>Usar otra cuenta</a>');
  });
});

describe('localized account pages: sign-up, password reset, email confirmation', () => {
  it('sign-up in the flow language (Accept-Language at /authorize); its mail link opened elsewhere follows that browser', async () => {
    const { params, verifier } = await defaultAuthorization();
    const pending = await openLogin(await call(authorizePath(params), { headers: { 'Accept-Language': 'de-AT,de;q=0.9' } }), verifier, params);
    const page = await (await call('/signup', { headers: { Cookie: pending.cookie } })).text();
    expect(page).toContain('<html lang="de" dir="ltr">');
    expect(page).toContain('<h1>Konto erstellen</h1>');
    expect(page).toContain('Mindestens ');

    const post = (email: string) => call('/signup', form({ request_id: pending.requestId, email, password: 'correct horse battery staple' }, { headers: { Cookie: pending.cookie, 'CF-Connecting-IP': freshIp() } }));
    const invalid = await post('not-an-address');
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('<p class="error" role="alert">Geben Sie eine gültige E-Mail-Adresse ein.</p>');
    // The password rules speak the flow language too, each with its own words.
    const postPassword = (password: string) => call('/signup', form({ request_id: pending.requestId, email: `rule-${unique()}@example.com`, password }, { headers: { Cookie: pending.cookie, 'CF-Connecting-IP': freshIp() } }));
    expect(await (await postPassword('kurz7!')).text()).toContain('<p class="field-error" id="password-problem">Verwenden Sie mindestens 8 Zeichen.</p>');
    expect(await (await postPassword('Password123')).text()).toContain('>Dieses Passwort ist zu verbreitet.');
    const email = `i18n-${unique()}@example.com`;
    const sent = await post(email);
    expect(sent.status).toBe(200);
    expect(await sent.text()).toContain('<h1>Prüfen Sie Ihren Posteingang</h1>');

    // A phone's mail app has no pending request: the browser's own languages decide.
    const link = await linkIn(email, '/signup/confirm');
    const elsewhere = await (await call(`${link.pathname}${link.search}`, { headers: { 'Accept-Language': 'ja' } })).text();
    expect(elsewhere).toContain('<html lang="ja" dir="ltr">');
    expect(elsewhere).toContain('<h1>アカウントの作成を完了</h1>');
    const here = await (await call(`${link.pathname}${link.search}`, { headers: { Cookie: pending.cookie, 'Accept-Language': 'ja' } })).text();
    expect(here).toContain('<h1>Konto fertig erstellen</h1>');
  });

  it('password reset in Arabic, right to left, from Accept-Language; English without one', async () => {
    const email = `i18n-reset-${unique()}@example.com`;
    await insertUsers({ [email]: 'an old passphrase of mine' });
    const arabic = { 'Accept-Language': 'ar' };
    const forgot = await call('/forgot', form({ email }, { headers: { ...arabic, 'CF-Connecting-IP': freshIp() } }));
    expect(forgot.status).toBe(200);
    const inbox = await forgot.text();
    expect(inbox).toContain('<html lang="ar" dir="rtl">');
    expect(inbox).toContain('<h1>تحقّق من بريدك الوارد</h1>');

    const [mail] = await mailTo(email);
    expect(mail?.subject).toBe('إعادة تعيين كلمة المرور');
    expect(mail?.text).toContain(`${new Intl.NumberFormat('ar', { style: 'unit', unit: 'minute', unitDisplay: 'long' }).format(30)}`);
    const link = await linkIn(email, '/reset');
    const reset = await (await call(`${link.pathname}${link.search}`, { headers: arabic })).text();
    expect(reset).toContain('<html lang="ar" dir="rtl">');
    expect(reset).toContain('<h1>اختر كلمة مرور جديدة</h1>');
    expect(reset).toContain('>حفظ كلمة المرور</button>');
    const refused = await call('/reset', form({ token: new URLSearchParams(link.search).get('token') ?? '', password: 'qwertyuiop' }, { headers: arabic }));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('>كلمة المرور هذه شائعة جدًا. اختر كلمة يصعب تخمينها.</p>');
    const english = await (await call(`${link.pathname}${link.search}`)).text();
    expect(english).toContain('<html lang="en" dir="ltr">');
    expect(english).toContain('<h1>Choose a new password</h1>');

    const expired = await call('/reset?token=not-a-token', { headers: arabic });
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('<h1>انتهت صلاحية الرابط</h1>');
  });
});

describe('the error page a person reads', () => {
  it('"Sign-in session expired" follows Accept-Language when no request is pending; without one, English', async () => {
    const expired = await call('/login', form({ request_id: 'gone', email: DEMO_EMAIL, password: DEMO_PASSWORD }, { headers: { 'Accept-Language': 'ja' } }));
    expect(expired.status).toBe(400);
    const page = await expired.text();
    expect(page).toContain('<html lang="ja" dir="ltr">');
    expect(page).toContain('<h1>ログインセッションの有効期限切れ</h1>');
    expect(page).toContain('エラー <code>invalid_request</code>');
    const english = await (await call('/login', form({ request_id: 'gone' }))).text();
    expect(english).toContain('<h1>Sign-in session expired</h1>');
    expect(english).toContain('Error <code>invalid_request</code> · Request ID <code>');
  });

  it('a request /authorize cannot trust is refused on a page in the browser\'s language; the JSON for apps stays English', async () => {
    const unknownApp = await call('/authorize?client_id=nobody&redirect_uri=com.example.x%3A%2Fcb&response_type=code', { headers: { 'Accept-Language': 'ar' } });
    expect(unknownApp.status).toBe(400);
    const arabic = await unknownApp.text();
    expect(arabic).toContain('<html lang="ar" dir="rtl">');
    expect(arabic).toContain('<h1>طلب تسجيل الدخول غير صالح</h1>');
    expect(arabic).toContain('التطبيق الذي أرسلك إلى هنا غير مسجّل.');
    const repeated = await call('/authorize?client_id=demo-app&client_id=demo-app', { headers: { 'Accept-Language': 'de' } });
    expect(await repeated.text()).toContain('Die App hat eine ungültige Anmeldeanfrage gesendet.');
    const pushedGone = await call('/authorize?client_id=demo-app&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Agone', { headers: { 'Accept-Language': 'es' } });
    expect(await pushedGone.text()).toContain('<h1>La solicitud de inicio de sesión ha caducado</h1>');

    const token = await call('/oauth/token', form({ grant_type: 'authorization_code', client_id: 'demo-app', code: 'x' }, { headers: { 'Accept-Language': 'ar' } }));
    expect(token.status).toBe(400);
    expect(((await token.json()) as { error_description: string }).error_description).toMatch(/^[\x20-\x7e]+$/);
  });

  it('after the pending request was read, the flow language wins over the browser\'s', async () => {
    const pending = await startLoginIn('fr');
    const refused = await call('/login', form({ request_id: 'not-this-one', email: DEMO_EMAIL, password: DEMO_PASSWORD }, { headers: { Cookie: pending.cookie, 'Accept-Language': 'de' } }));
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('<html lang="fr" dir="ltr">');
    expect(page).toContain('<h1>Session de connexion expirée</h1>');
  });
});

describe('the account page', () => {
  it('speaks the browser\'s language (Accept-Language): the sign-in form, the page, its notices and the deletion notice', async () => {
    const email = `i18n-account-${unique()}@example.com`;
    const password = 'an account page passphrase';
    await insertUsers({ [email]: password });
    const japanese = { 'Accept-Language': 'ja-JP,ja;q=0.9' };
    const signInForm = await (await call('/account', { headers: japanese })).text();
    expect(signInForm).toContain('<html lang="ja" dir="ltr">');
    expect(signInForm).toContain('<h1>アカウント</h1>');
    const wrong = await call('/account/sign-in', form({ email, password: 'not the password' }, { headers: { ...japanese, 'CF-Connecting-IP': freshIp() } }));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('メールアドレスまたはパスワードが正しくありません。');

    const signedIn = await call('/account/sign-in', form({ email, password }, { headers: { 'CF-Connecting-IP': freshIp() } }));
    expect(signedIn.status).toBe(303);
    const cookie = cookieFrom(signedIn, SESSION_COOKIE);
    const page = await (await call('/account?done=signed_in', { headers: { ...japanese, Cookie: cookie } })).text();
    expect(page).toContain('<h2 id="delete-account">アカウントの削除</h2>');
    expect(page).toContain('<p role="status">ログインしました。</p>');
    expect(page).toContain(`<strong>${email}</strong> としてログイン中`);
    const english = await (await call('/account', { headers: { Cookie: cookie } })).text();
    expect(english).toContain('<h2 id="delete-account">Delete account</h2>');

    const deleted = await call('/account/delete', form({ current_password: password }, { headers: { ...japanese, Cookie: cookie } }));
    expect(deleted.status).toBe(200);
    expect(await deleted.text()).toContain('<h1>アカウントを削除しました</h1>');
  });
});

describe('the email-change link', () => {
  it('a used or forged link is answered in the browser\'s language', async () => {
    const refused = await call('/account/email/confirm?token=forged', { headers: { 'Accept-Language': 'es' } });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('<html lang="es" dir="ltr">');
    expect(page).toContain('<h1>Enlace caducado</h1>');
  });
});

describe('account mails', () => {
  it('speak the language of the page that sent them: French sign-up, French mail, its durations spelled by Intl', async () => {
    const pending = await startLoginIn('fr');
    const email = `i18n-mail-${unique()}@example.com`;
    const sent = await call('/signup', form({ request_id: pending.requestId, email, password: 'correct horse battery staple' }, { headers: { Cookie: pending.cookie, 'CF-Connecting-IP': freshIp() } }));
    expect(sent.status).toBe(200);
    const [mail] = await mailTo(email);
    expect(mail?.subject).toBe('Confirmez votre adresse e-mail pour terminer la création de votre compte');
    const hours = new Intl.NumberFormat('fr', { style: 'unit', unit: 'hour', unitDisplay: 'long' }).format(24);
    expect(mail?.text).toContain(`Le lien fonctionne une seule fois, pendant ${hours}.`);
    expect(mail?.text).toContain('Confirmer l’adresse et créer le compte\u202f: https://');
  });
});
