import { catalogueFromJson } from '../i18n/catalogue-json';
import { DEFAULT_LOCALE, installCatalogue, LOCALES, type Locale } from '../i18n/messages';
import type { BloomFilter } from '../oauth/bloom-filter';
import { decodeFilter } from '../oauth/common-passwords';
import { UNNAMED_PASSKEY } from '../oauth/passkey-record';

/**
 * The worker's static assets (src/static): data it reads rather than bundles, so the script stays
 * small (issue 14's 128 KiB budget), and the files pages link to. The binding reads by path; the
 * host is never contacted.
 */
export async function readAsset(env: Env, path: string): Promise<Response> {
  const response = await env.ASSETS.fetch(`https://assets.invalid/${path}`);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response;
}

/** A load done once per isolate, when first needed; a failed one is tried again by the next request. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}

let catalogues: (() => Promise<void>) | undefined;
let commonPasswords: (() => Promise<BloomFilter>) | undefined;
let providerNames: (() => Promise<Readonly<Record<string, string>>>) | undefined;

async function loadCatalogue(env: Env, locale: Locale): Promise<void> {
  const { messages, problems } = catalogueFromJson(await (await readAsset(env, `i18n/${locale}.json`)).json());
  if (problems.length > 0) console.error(JSON.stringify({ level: 'warn', event: 'catalogue_problems', locale, problems: problems.slice(0, 10) }));
  installCatalogue(locale, messages);
}

/**
 * The translations (src/static/i18n), all of them at the first page an isolate renders, in
 * whatever language: the page's language is not known before its handler runs. If one cannot be
 * read, that request's pages are in English and the next request tries again.
 */
export async function loadCatalogues(env: Env): Promise<void> {
  catalogues ??= once(async () => {
    await Promise.all(LOCALES.filter((locale) => locale !== DEFAULT_LOCALE).map((locale) => loadCatalogue(env, locale)));
  });
  try {
    await catalogues();
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', event: 'catalogues_unavailable', reason: error instanceof Error ? error.message : 'unknown' }));
  }
}

/**
 * The 10,000 most common passwords of 8 or more characters as a Bloom filter (13 KiB,
 * src/static/common-passwords.bin), read when a new password is judged. A failed read fails the
 * request rather than letting a common password through.
 */
export function commonPasswordFilter(env: Env): Promise<BloomFilter> {
  commonPasswords ??= once(async () => decodeFilter(new Uint8Array(await (await readAsset(env, 'common-passwords.bin')).arrayBuffer())));
  return commonPasswords();
}

/**
 * A new passkey's default name: its provider's, by AAGUID ("iCloud Keychain", "1Password"). The
 * names of the common providers (src/static/passkey-providers.json) are a selection from
 * @passwordless-id/webauthn's `authenticatorMetadata` (the FIDO MDS and the community list
 * passkeydeveloper/passkey-authenticator-aaguids), whose whole table would cost 10.8 KiB gzip in
 * the worker. A name is a courtesy: when the table cannot be read, the passkey is "Passkey" and
 * the enrolment goes on.
 */
export async function passkeyProviderName(env: Env, aaguid: string): Promise<string> {
  providerNames ??= once(async () => (await (await readAsset(env, 'passkey-providers.json')).json()) as Record<string, string>);
  try {
    const names = await providerNames();
    return Object.hasOwn(names, aaguid) && typeof names[aaguid] === 'string' ? names[aaguid] : UNNAMED_PASSKEY;
  } catch (error) {
    console.error(JSON.stringify({ level: 'warn', event: 'passkey_providers_unavailable', reason: error instanceof Error ? error.message : 'unknown' }));
    return UNNAMED_PASSKEY;
  }
}
