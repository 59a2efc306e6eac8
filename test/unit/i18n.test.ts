import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogueFromJson } from '../../src/i18n/catalogue-json';
import { formatDateTime, plural } from '../../src/i18n/format';
import { DEFAULT_LOCALE, installCatalogue, LOCALES, messagesFor, textDirection } from '../../src/i18n/messages';
import { negotiateLocale } from '../../src/i18n/negotiate';
import { consentPage, loginPage } from '../../src/views/pages';

describe('language negotiation: ui_locales, then Accept-Language, then English', () => {
  it.each([
    // OIDC Core 3.1.2.1: space-separated, most preferred first; the first supported one wins.
    ['ja fr', undefined, 'ja'],
    ['tlh de', undefined, 'de'],
    ['de-CH', undefined, 'de'],
    ['FR-ca es', undefined, 'fr'],
    ['zh-Hant', undefined, 'en'],
    // ui_locales before the browser's languages, which count only when ui_locales names none we have.
    ['ar', 'de', 'ar'],
    ['pt-BR', 'es-MX,en;q=0.5', 'es'],
    [undefined, 'de-DE,de;q=0.9,en;q=0.8', 'de'],
    // RFC 9110 section 12.5.4: the highest weight wins, ties keep their order, q=0 means "not this".
    [undefined, 'en;q=0.5, ja;q=0.8, fr;q=0.8', 'ja'],
    [undefined, 'ar;q=0, fr;q=0.1', 'fr'],
    [undefined, 'nl, es;q=0.3', 'es'],
    [undefined, '*', 'en'],
    [undefined, undefined, 'en'],
    ['', '', 'en'],
  ])('ui_locales %j, Accept-Language %j: %s', (uiLocales, acceptLanguage, expected) => {
    expect(negotiateLocale(uiLocales, acceptLanguage)).toBe(expected);
  });

  it('skips malformed tags and weights, and reads hostile input only so far', () => {
    expect(negotiateLocale('<script> ../de de', undefined)).toBe('de');
    expect(negotiateLocale('de_DE', 'fr;q=2, ja;q=abc, es;q=0.0001, ar;q=0.001')).toBe('ar');
    expect(negotiateLocale(`${'x '.repeat(5000)}de`, `${'x,'.repeat(5000)}ja`)).toBe('en');
    expect(negotiateLocale('a'.repeat(100_000), 'b'.repeat(100_000))).toBe('en');
  });

  it("falls back to the client's default only when neither the app nor the browser names a spoken language", () => {
    expect(negotiateLocale(undefined, undefined, 'ja')).toBe('ja');
    expect(negotiateLocale('tlh', 'x-klingon, zz;q=0.5', 'ja')).toBe('ja');
    expect(negotiateLocale(undefined, 'de', 'ja')).toBe('de');
    expect(negotiateLocale('fr', 'de', 'ja')).toBe('fr');
    expect(negotiateLocale(undefined, undefined, null)).toBe('en');
  });
});

/** A translation's file, as the worker reads it through its assets binding. */
const catalogueFile = (locale: string): unknown => JSON.parse(readFileSync(`src/static/i18n/${locale}.json`, 'utf8'));
const TRANSLATED = LOCALES.filter((locale) => locale !== DEFAULT_LOCALE);

beforeAll(() => {
  for (const locale of TRANSLATED) installCatalogue(locale, catalogueFromJson(catalogueFile(locale)).messages);
});

describe('message catalogues', () => {
  const english = messagesFor('en');

  it.each(TRANSLATED)('%s.json has every English message, in its shape, placing every value, and nothing else', (locale) => {
    expect(catalogueFromJson(catalogueFile(locale)).problems).toEqual([]);
  });

  it('a faulty file is read as far as it is right; each fault is named and said in English', () => {
    const { messages, problems } = catalogueFromJson({
      signIn: 'Anmelden',
      signInTitle: 'Anmelden · {2}',
      signedInAs: 'Angemeldet als {1}',
      asksToUse: '{2} möchte {1} nutzen',
      weSentTo: { html: 'Gesendet an {1}' },
      notAKey: 'x',
    });
    expect(problems).toEqual(expect.arrayContaining(['notAKey: not an English key', 'signInTitle: must place each of {1} to {1} (and no other)', 'signedInAs: expected {"html": "..."}', 'passwordRule: expected text']));
    // Each English key but the three right ones is named once, and the unknown key.
    expect(problems).toHaveLength(Object.keys(english).length - 3 + 1);
    expect(messages.signIn).toBe('Anmelden');
    expect(messages.signInTitle('App')).toBe(english.signInTitle('App'));
    // Values go where the translation puts them, in any order; in markup, they are escaped.
    expect(messages.asksToUse('App', 'API')).toBe('API möchte App nutzen');
    expect(String(messages.weSentTo('<b>'))).toBe('Gesendet an &lt;b&gt;');
    expect(catalogueFromJson(null).problems).toHaveLength(Object.keys(english).length);
  });

  it.each(LOCALES)('%s has exactly the English keys, none empty', (locale) => {
    const messages = messagesFor(locale);
    expect(Object.keys(messages).sort()).toEqual(Object.keys(english).sort());
    for (const [key, message] of Object.entries(messages)) {
      expect(typeof message, key).toBe(typeof english[key as keyof typeof english]);
      // Every function message places every value it is given.
      const text = typeof message === 'string' ? message : String(message('⟨1⟩', '⟨2⟩'));
      expect(text.trim(), key).not.toBe('');
      if (typeof message === 'function') for (let i = 1; i <= message.length; i++) expect(text, key).toContain(`⟨${i}⟩`);
    }
  });

  it('Arabic is right to left, the others left to right', () => {
    expect(LOCALES.filter((locale) => textDirection(locale) === 'rtl')).toEqual(['ar']);
  });

  it('counts and dates come from Intl, with each language its own rules', () => {
    const forms = { zero: 'zero', one: 'one #', two: 'two #', few: 'few #', many: 'many #', other: 'other #' };
    // Arabic has six forms; its digits are whichever the platform's CLDR data prefers.
    const arabic = (n: number) => new Intl.NumberFormat('ar').format(n);
    expect([0, 1, 2, 3, 11, 100].map((n) => plural('ar', n, forms))).toEqual(['zero', `one ${arabic(1)}`, `two ${arabic(2)}`, `few ${arabic(3)}`, `many ${arabic(11)}`, `other ${arabic(100)}`]);
    expect([1, 2].map((n) => plural('ja', n, forms))).toEqual(['other 1', 'other 2']);
    expect(plural('fr', 1234, forms)).toBe('other 1\u202f234');
    const date = new Date(Date.UTC(2026, 11, 2, 14, 5));
    expect(formatDateTime('de', date)).toBe('02.12.2026, 14:05');
    expect(formatDateTime('ja', date)).toBe('2026/12/02 14:05');
  });
});

describe('pages in the flow language', () => {
  it('the login page in Arabic: lang, dir, the words and the toggle name', async () => {
    const html = String(await loginPage({ nonce: 'n', clientName: 'App', requestId: 'r', locale: 'ar', error: 'loginFailed' }));
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('<title>تسجيل الدخول · App</title>');
    expect(html).toContain('>البريد الإلكتروني أو كلمة المرور غير صحيحة.</p>');
    expect(html).toContain('<span class="visually-hidden">إظهار كلمة المرور</span>');
    // The stylesheet uses logical sides only, so the same one mirrors for right-to-left pages.
    const css = readFileSync('src/static/web/pages.css', 'utf8');
    expect(css).toContain('inset-inline-end:0');
    expect(css).not.toMatch(/padding-(left|right)|border-left|\bright:0/);
  });

  it('without a language the pages stay English, left to right', async () => {
    const html = String(await loginPage({ nonce: 'n', clientName: 'App', requestId: 'r' }));
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(html).toContain('<h1>Sign in</h1>');
  });

  it('the consent page translates OIDC scopes, keeps an API\'s configured descriptions, escapes values', async () => {
    const html = String(
      await consentPage({
        nonce: 'n', clientName: '<b>App</b>', requestId: 'r', scopes: ['openid', 'read:items'], apiName: 'Items', locale: 'de',
        scopeDescriptions: { 'read:items': 'Read your items' }, email: 'a@example.com',
      }),
    );
    expect(html).toContain('<h1>&lt;b&gt;App&lt;/b&gt; erlauben?</h1>');
    expect(html).toContain('Angemeldet als <strong>a@example.com</strong>');
    expect(html).toContain('<ul><li>Bestätigen, wer Sie sind</li><li>Read your items</li></ul>');
    expect(html).toContain('<button type="submit" name="decision" value="allow">Erlauben</button>');
  });
});
