import { en, type Messages } from './en';

/** The languages every page of the sign-in path speaks; English is the fallback. */
export const LOCALES = ['en', 'de', 'es', 'fr', 'ja', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];
export type { Messages };
/** The keys whose message is plain text: what an error can name for its page. */
export type TextKey = { [K in keyof Messages]: Messages[K] extends string ? K : never }[keyof Messages];
export const DEFAULT_LOCALE: Locale = 'en';

/** English is in the script; the others are read once per isolate (loadCatalogues, src/interaction/static-data.ts). */
const CATALOGUES: Partial<Record<Locale, Messages>> = { en };

export function installCatalogue(locale: Locale, messages: Messages): void {
  CATALOGUES[locale] = messages;
}

/** Arabic is written right to left; the page's `dir` follows the language. */
const RIGHT_TO_LEFT: ReadonlySet<Locale> = new Set<Locale>(['ar']);

/** A language's messages; English until its catalogue is loaded, so a page is never lost for want of one. */
export function messagesFor(locale: Locale | undefined): Messages {
  return CATALOGUES[locale ?? DEFAULT_LOCALE] ?? en;
}

export function textDirection(locale: Locale | undefined): 'ltr' | 'rtl' {
  return RIGHT_TO_LEFT.has(locale ?? DEFAULT_LOCALE) ? 'rtl' : 'ltr';
}

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}
