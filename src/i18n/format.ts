import type { Locale } from './messages';

/**
 * A count in words by the language's own plural rules (Arabic has six forms, Japanese one):
 * `forms` has the CLDR categories the catalogue needs, `other` always.
 */
export function plural(locale: Locale, count: number, forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }): string {
  const form = forms[new Intl.PluralRules(locale).select(count)] ?? forms.other;
  return form.replace('#', new Intl.NumberFormat(locale).format(count));
}

/** A language's name in that language ("Deutsch", "日本語"): how a person finds their own in a list. */
export function ownName(locale: Locale): string {
  return new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
}

/** A date and time as people of the language write it. */
export function formatDateTime(locale: Locale, date: Date, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
}

/** A duration as the language spells it, with its plural form ("24 hours", "24 Stunden", "٢٤ ساعة"). */
export function formatDuration(locale: Locale, count: number, unit: 'hour' | 'minute'): string {
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(count);
}
