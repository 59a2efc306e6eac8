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

/**
 * How long an isolate goes without asking the store which keys are withdrawn (one small call that
 * imports nothing). A withdrawn key stops being published, signing and verifying in every isolate
 * within this time; in the isolate that withdrew it, at once.
 */
export const WITHDRAWAL_CHECK_MS = 30 * 1000;

interface ImportedKeys {
  fetchedAt: number;
  /** When the withdrawn list was last compared with these keys. */
  checkedAt: number;
  signing: Map<SigningAlg, SigningKey>;
  publicJwks: JWK[];
  /** The kids this copy trusts: the published keys, the signing ones among them. */
  trustedKids: Set<string>;
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
  const publicJwks = publishedKeys(material.signingKeys);
  const trustedKids = new Set(publicJwks.flatMap((jwk) => (jwk.kid ? [jwk.kid] : [])));
  const now = Date.now();
  return { fetchedAt: now, checkedAt: now, signing, publicJwks, trustedKids, sealing };
}

/** Whether none of the copy's keys has been withdrawn since it was fetched: one small call to the store. */
async function noneWithdrawn(env: Env, cached: ImportedKeys): Promise<boolean> {
  const withdrawn = await signingKeyStore(env).withdrawnKids();
  if (withdrawn.some((kid) => cached.trustedKids.has(kid))) return false;
  cached.checkedAt = Date.now();
  return true;
}

async function keys(env: Env): Promise<ImportedKeys> {
  const cached = cache;
  const now = Date.now();
  if (cached && now - cached.fetchedAt < KEY_CACHE_TTL_MS) {
    // A warm request within the check interval awaits nothing.
    if (now - cached.checkedAt < WITHDRAWAL_CHECK_MS || (await noneWithdrawn(env, cached))) return cached;
  }
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

/** After a rotation or withdrawal by this isolate, it uses the new keys at once instead of within the TTL. */
export function forgetCachedKeys(): void {
  cache = undefined;
}
