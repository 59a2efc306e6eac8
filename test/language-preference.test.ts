/**
 * The order the pages' language is chosen in (issue 19): the app's ui_locales, then the person's
 * saved language once they are known, then the browser's Accept-Language, then the client's
 * default_locale, then English. Mails to an account speak its saved language.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PARTNER } from './helpers/fixtures';
import { authorizePath, defaultAuthorization, openLogin, reachConsent, submitLogin } from './helpers/flow';
import { call, cookieFrom, form, LOGIN_COOKIE, SESSION_COOKIE } from './helpers/http';
import { linkIn, mailTo } from './helpers/mailbox';
import { createClient, createUser, expectInvalidFields, management, ok, waitForAudit, eventNames, type UserJson } from './helpers/management';
import { freshIp, unique } from './helpers/values';

const storedLocale = async (id: string) => ((await env.DB.prepare('SELECT locale FROM users WHERE id = ?').bind(id).first()) as { locale: string | null }).locale;

/** The login page of a fresh request for `clientId`, with the browser's `headers`. */
async function loginPageFor(params: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<string> {
  const authorized = await call(authorizePath(params), { headers });
  expect(authorized.status).toBe(302);
  return (await call('/login', { headers: { Cookie: cookieFrom(authorized, LOGIN_COOKIE) } })).text();
}

describe("a client's default language", () => {
  it('speaks when neither ui_locales nor Accept-Language names a supported language, and only then', async () => {
    const client = await createClient({ default_locale: 'ja', redirect_uris: ['com.example.lang:/callback'] });
    expect(client).toMatchObject({ default_locale: 'ja' });
    const { params } = await defaultAuthorization({ client_id: client.id, redirect_uri: 'com.example.lang:/callback', scope: 'openid' });
    expect(await loginPageFor(params)).toContain('<html lang="ja" dir="ltr">');
    expect(await loginPageFor(params, { 'Accept-Language': 'tlh, x-klingon' })).toContain('<html lang="ja" dir="ltr">');
    expect(await loginPageFor(params, { 'Accept-Language': 'de' })).toContain('<html lang="de" dir="ltr">');
    expect(await loginPageFor({ ...params, ui_locales: 'fr' }, { 'Accept-Language': 'de' })).toContain('<html lang="fr" dir="ltr">');

    await ok(await management('PATCH', `/clients/${client.id}`, { default_locale: null }));
    expect(await loginPageFor(params)).toContain('<html lang="en" dir="ltr">');
  });

  it('is one of the spoken languages', async () => {
    await expectInvalidFields(await management('POST', '/clients', { name: 'x', type: 'public', redirect_uris: ['com.example.x:/cb'], scopes: ['openid'], default_locale: 'tlh' }), ['default_locale']);
  });
});

describe("a person's saved language", () => {
  it('replaces the browser\'s after sign-in (the consent page), but not the one the app asked for', async () => {
    const user = await createUser({ locale: 'ja' });
    expect(user).toMatchObject({ locale: 'ja' });
    const browserGerman = { 'Accept-Language': 'de' };

    const pending = await openLogin(...(await authorizeFor(browserGerman)));
    expect(await (await call('/login', { headers: { Cookie: pending.cookie } })).text()).toContain('<html lang="de" dir="ltr">');
    const signedIn = await submitLogin(pending, { email: user.email, password: user.password }, { 'CF-Connecting-IP': freshIp() });
    expect(signedIn.headers.get('Location')).toBe('/consent');
    const consent = await call('/consent', { headers: { Cookie: cookieFrom(signedIn, LOGIN_COOKIE), ...browserGerman } });
    expect(await consent.text()).toContain('<html lang="ja" dir="ltr">');

    // ui_locales is the app's choice: it outranks the saved language (OIDC Core 3.1.2.1).
    const asked = await reachConsent(user.email, user.password, { ui_locales: 'ar' });
    expect(await (await call('/consent', { headers: { Cookie: asked.cookie } })).text()).toContain('<html lang="ar" dir="rtl">');
  });

  it('is chosen on the account page, which then speaks it, and saved for mails the operator sends', async () => {
    const user = await createUser();
    expect(user.locale).toBeNull();
    const signedIn = await call('/account/sign-in', form({ email: user.email, password: user.password }, { headers: { 'CF-Connecting-IP': freshIp(), 'Accept-Language': 'es' } }));
    const cookie = cookieFrom(signedIn, SESSION_COOKIE);
    const before = await (await call('/account', { headers: { Cookie: cookie, 'Accept-Language': 'es' } })).text();
    expect(before).toContain('<html lang="es" dir="ltr">');
    // Each language is named in itself, none chosen yet.
    expect(before).toContain('<option value="de" lang="de">Deutsch</option>');
    expect(before).toContain('<option value="ja" lang="ja">日本語</option>');
    expect(before).not.toContain(' selected');

    const saved = await call('/account/language', form({ locale: 'fr' }, { headers: { Cookie: cookie } }));
    expect(saved.status).toBe(303);
    expect(saved.headers.get('Location')).toBe('/account?done=language_saved');
    expect(await storedLocale(user.id)).toBe('fr');
    const after = await (await call('/account?done=language_saved', { headers: { Cookie: cookie, 'Accept-Language': 'es' } })).text();
    expect(after).toContain('<html lang="fr" dir="ltr">');
    expect(after).toContain('<p role="status">Votre langue a été enregistrée.</p>');
    expect(after).toContain('<option value="fr" lang="fr" selected>');
    expect(eventNames(await waitForAudit(`user_id=${user.id}&event=language_saved`, (items) => items.length > 0))).toEqual(['language_saved']);

    const refused = await call('/account/language', form({ locale: 'tlh' }, { headers: { Cookie: cookie } }));
    expect(refused.status).toBe(400);
    expect(await storedLocale(user.id)).toBe('fr');

    expect((await management('POST', `/users/${user.id}/password-reset-mail`)).status).toBe(202);
    const [mail] = await mailTo(user.email);
    expect(mail?.subject).toBe('Réinitialiser votre mot de passe');
  });

  it('is kept from the sign-up: the language the account was made in', async () => {
    const email = `lang-${unique()}@example.com`;
    const { params, verifier } = await defaultAuthorization({ ui_locales: 'de' });
    const pending = await openLogin(await call(authorizePath(params)), verifier, params);
    const posted = await call('/signup', form({ request_id: pending.requestId, email, password: 'correct horse battery staple' }, { headers: { Cookie: pending.cookie, 'CF-Connecting-IP': freshIp() } }));
    expect(posted.status).toBe(200);
    const link = await linkIn(email, '/signup/confirm');
    const confirmed = await call('/signup/confirm', form({ token: link.searchParams.get('token')! }, { headers: { Cookie: pending.cookie } }));
    expect(confirmed.status).toBe(303);
    const row = (await env.DB.prepare('SELECT locale FROM users WHERE email = ?').bind(email).first()) as { locale: string };
    expect(row.locale).toBe('de');
  });

  it('the Management API sets and clears it, and refuses a language edge-auth does not speak', async () => {
    const user = await createUser();
    expect(await ok<UserJson>(await management('PATCH', `/users/${user.id}`, { locale: 'ar' }))).toMatchObject({ locale: 'ar' });
    expect(await ok<UserJson>(await management('PATCH', `/users/${user.id}`, { locale: null }))).toMatchObject({ locale: null });
    await expectInvalidFields(await management('PATCH', `/users/${user.id}`, { locale: 'en-GB' }), ['locale']);
  });
});

/** /authorize for the partner app (consent) from a browser with `headers`: what openLogin needs. */
async function authorizeFor(headers: Record<string, string>) {
  const { params, verifier } = await defaultAuthorization({ ...PARTNER });
  return [await call(authorizePath(params), { headers }), verifier, params] as const;
}
