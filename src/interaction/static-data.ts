import type { BloomFilter } from '../oauth/bloom-filter';
import { decodeFilter } from '../oauth/common-passwords';
import { UNNAMED_PASSKEY } from '../oauth/passkey-record';

/**
 * Data the worker reads from its static assets (src/static) rather than bundles: once per isolate,
 * and only when a step needs it, so sign-ins and tokens never load it. The assets binding reads
 * by path; the host is never contacted.
 */
function readOnce<T>(env: Env, path: string, decode: (response: Response) => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= env.ASSETS.fetch(`https://assets.invalid/${path}`)
      .then((response) => {
        if (!response.ok) throw new Error(`${path}: ${response.status}`);
        return decode(response);
      })
      .catch((error: unknown) => {
        // The next request reads again.
        loading = undefined;
        throw error;
      });
    return loading;
  };
}

let commonPasswords: (() => Promise<BloomFilter>) | undefined;
let providerNames: (() => Promise<Readonly<Record<string, string>>>) | undefined;

/**
 * The 10,000 most common passwords of 8 or more characters as a Bloom filter (13 KiB,
 * src/static/common-passwords.bin), read when a new password is judged. A failed read fails the
 * request rather than letting a common password through.
 */
export function commonPasswordFilter(env: Env): Promise<BloomFilter> {
  commonPasswords ??= readOnce(env, 'common-passwords.bin', async (response) => decodeFilter(new Uint8Array(await response.arrayBuffer())));
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
  providerNames ??= readOnce(env, 'passkey-providers.json', async (response) => (await response.json()) as Record<string, string>);
  try {
    const names = await providerNames();
    return Object.hasOwn(names, aaguid) && typeof names[aaguid] === 'string' ? names[aaguid] : UNNAMED_PASSKEY;
  } catch (error) {
    console.error(JSON.stringify({ level: 'warn', event: 'passkey_providers_unavailable', reason: error instanceof Error ? error.message : 'unknown' }));
    return UNNAMED_PASSKEY;
  }
}
