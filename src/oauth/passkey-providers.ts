/** What a passkey from an authenticator the table does not know is called until its owner renames it. */
export const UNNAMED_PASSKEY = 'Passkey';

let loading: Promise<Readonly<Record<string, string>>> | undefined;

function providerNames(env: Env): Promise<Readonly<Record<string, string>>> {
  loading ??= env.ASSETS.fetch('https://assets.invalid/passkey-providers.json')
    .then(async (response) => {
      if (!response.ok) throw new Error(`passkey-providers.json: ${response.status}`);
      return (await response.json()) as Record<string, string>;
    })
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

/**
 * A new passkey's default name: its provider's, by AAGUID ("iCloud Keychain", "1Password"). The
 * names of the common providers (src/static/passkey-providers.json) are a selection from
 * @passwordless-id/webauthn's `authenticatorMetadata` (the FIDO MDS and the community list
 * passkeydeveloper/passkey-authenticator-aaguids), whose whole table would cost 10.8 KiB gzip in
 * the worker; they are read once per isolate, at the first enrolment. A name is a courtesy: when
 * the table cannot be read, the passkey is "Passkey" and the enrolment goes on.
 */
export async function passkeyProviderName(env: Env, aaguid: string): Promise<string> {
  try {
    const names = await providerNames(env);
    return Object.hasOwn(names, aaguid) && typeof names[aaguid] === 'string' ? names[aaguid] : UNNAMED_PASSKEY;
  } catch (error) {
    console.error(JSON.stringify({ level: 'warn', event: 'passkey_providers_unavailable', reason: error instanceof Error ? error.message : 'unknown' }));
    return UNNAMED_PASSKEY;
  }
}
