import { DEFAULT_LOCALE, isLocale, type Locale } from './messages';

/** Enough for any real preference list; a longer one is read only this far (hostile input stays cheap). */
const MAX_TAGS = 20;
const MAX_INPUT = 1024;
/** RFC 5646 in its plain shape: a primary language subtag, then subtags of up to 8 letters or digits. */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;
/** RFC 9110 section 12.4.2: a weight is 0 to 1 with at most three decimals. */
const WEIGHT = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** The supported language a tag falls back to, by its primary subtag (`de-CH` is `de`). */
function supported(tag: string): Locale | undefined {
  if (!LANGUAGE_TAG.test(tag)) return undefined;
  const language = tag.split('-')[0]!.toLowerCase();
  return isLocale(language) ? language : undefined;
}

/** OIDC Core 3.1.2.1: `ui_locales` is space-separated BCP 47 tags, most preferred first. */
export function requestedLocale(uiLocales: string | undefined): Locale | undefined {
  if (uiLocales === undefined) return undefined;
  for (const tag of uiLocales.slice(0, MAX_INPUT).split(' ').filter(Boolean).slice(0, MAX_TAGS)) {
    const locale = supported(tag);
    if (locale) return locale;
  }
  return undefined;
}

/** RFC 9110 section 12.5.4: the highest weight wins, ties in the order sent; q=0 means "not this". */
function fromAcceptLanguage(header: string): Locale | undefined {
  const ranges = header
    .slice(0, MAX_INPUT)
    .split(',')
    .slice(0, MAX_TAGS)
    .map((entry, order) => {
      const [tag = '', ...params] = entry.split(';').map((part) => part.trim());
      const q = params.find((param) => /^q=/i.test(param))?.slice(2);
      const weight = q === undefined ? 1 : WEIGHT.test(q) ? Number(q) : 0;
      return { locale: supported(tag), weight, order };
    })
    .filter((range) => range.locale !== undefined && range.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.order - b.order);
  return ranges[0]?.locale;
}

/**
 * The language of the pages: `ui_locales` first, then the browser's Accept-Language, then the
 * app's default, then English. Unsupported or malformed tags are skipped, never an error: all are
 * preferences. A person's saved language comes between the first two, once they are known
 * (src/interaction/page-locale.ts).
 */
export function negotiateLocale(uiLocales: string | undefined, acceptLanguage: string | undefined, fallback: Locale | null | undefined = DEFAULT_LOCALE): Locale {
  return (uiLocales && requestedLocale(uiLocales)) || (acceptLanguage && fromAcceptLanguage(acceptLanguage)) || fallback || DEFAULT_LOCALE;
}
