import { catalogueFromJson } from './catalogue-json';
import { DEFAULT_LOCALE, installCatalogue, LOCALES } from './messages';

let loading: Promise<void> | undefined;

async function loadCatalogue(env: Env, locale: (typeof LOCALES)[number]): Promise<void> {
  // The assets binding reads by path; the host is never contacted.
  const response = await env.ASSETS.fetch(`https://assets.invalid/i18n/${locale}.json`);
  if (!response.ok) throw new Error(`i18n/${locale}.json: ${response.status}`);
  const { messages, problems } = catalogueFromJson(await response.json());
  if (problems.length > 0) console.error(JSON.stringify({ level: 'warn', event: 'catalogue_problems', locale, problems: problems.slice(0, 10) }));
  installCatalogue(locale, messages);
}

/**
 * The translations, read once per isolate from the worker's static assets (src/static/i18n)
 * rather than bundled: they are most of the text of the pages, and a script that is smaller starts
 * faster (the 128 KiB budget, docs/design.md). Pages await this before rendering. If an asset
 * cannot be read, that request's pages are in English and the next request tries again.
 */
export function loadCatalogues(env: Env): Promise<void> {
  loading ??= Promise.all(LOCALES.filter((locale) => locale !== DEFAULT_LOCALE).map((locale) => loadCatalogue(env, locale))).then(
    () => undefined,
    (error: unknown) => {
      loading = undefined;
      console.error(JSON.stringify({ level: 'error', event: 'catalogues_unavailable', reason: error instanceof Error ? error.message : 'unknown' }));
    },
  );
  return loading;
}
