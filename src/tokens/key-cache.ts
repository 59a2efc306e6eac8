import { base64url, importJWK, type JWK } from 'jose';
import type { SigningAlg, SigningKey } from '../crypto/jwt';
import { signingKeyStore, type KeyMaterial } from '../durable-objects/signing-key-store';
import { publishedKeys } from '../oauth/key-lifecycle';

/**
 * How long an isolate trusts its copy of the key material: after a rotation, every isolate signs
 * with the new current key within this time. A token request on a warm isolate pays no round trip
 * for its key.
 */
export const KEY_CACHE_TTL_MS = 5 * 60 * 1000;

interface ImportedKeys {
  fetchedAt: number;
  signing: Map<SigningAlg, SigningKey>;
  publicJwks: JWK[];
  sealing: CryptoKey;
}

// Only settled values are shared between requests: a promise made by one request's I/O must not
// be awaited by another (workerd cancels it when the first request ends).
let cache: ImportedKeys | undefined;

async function load(env: Env): Promise<ImportedKeys> {
  const material: KeyMaterial = await signingKeyStore(env).keyMaterial();
  const signing = new Map<SigningAlg, SigningKey>();
  for (const stored of material.signingKeys) {
    if (stored.status !== 'current' || !stored.privateJwk) continue;
    const key = (await importJWK(stored.privateJwk, stored.alg, { extractable: false })) as CryptoKey;
    signing.set(stored.alg, { kid: stored.kid, alg: stored.alg, key });
  }
  const sealing = await crypto.subtle.importKey('raw', base64url.decode(material.sealingKey), 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
  return { fetchedAt: Date.now(), signing, publicJwks: publishedKeys(material.signingKeys), sealing };
}

async function keys(env: Env): Promise<ImportedKeys> {
  if (cache && Date.now() - cache.fetchedAt < KEY_CACHE_TTL_MS) return cache;
  cache = await load(env);
  return cache;
}

export async function getSigningKey(env: Env, alg: SigningAlg): Promise<SigningKey> {
  const key = (await keys(env)).signing.get(alg);
  if (!key) throw new Error(`no current signing key for ${alg}`);
  return key;
}

/** Public members only: what the JWKS endpoint publishes. */
export async function getPublicJwks(env: Env): Promise<JWK[]> {
  return (await keys(env)).publicJwks;
}

export async function getSealingKey(env: Env): Promise<CryptoKey> {
  return (await keys(env)).sealing;
}

/** After a rotation by this isolate, it signs with the new key at once instead of within the TTL. */
export function forgetCachedKeys(): void {
  cache = undefined;
}
