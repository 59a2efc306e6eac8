import { DurableObject } from 'cloudflare:workers';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomToken } from '../crypto/random';

export type SigningAlg = 'ES256' | 'RS256';
export const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'RS256'];

export interface StoredSigningKey {
  kid: string;
  alg: SigningAlg;
  /** Lifecycle slot; rotation will add `next`, `previous` and `retired`. */
  status: 'current';
  createdAt: number;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Everything an isolate caches from the store, fetched in one round trip. */
export interface KeyMaterial {
  signingKeys: StoredSigningKey[];
  /** Raw AES-256-GCM key (base64url) that seals pending authorization requests into cookies. */
  sealingKey: string;
}

async function newSigningKey(alg: SigningAlg): Promise<StoredSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const kid = randomToken(12);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  return { kid, alg, status: 'current', createdAt: Date.now(), privateJwk, publicJwk };
}

/**
 * The one source of truth for key material: a single object, so every isolate sees the same keys.
 * Keys are made on first use and kept in the object's storage, so tokens stay verifiable across
 * restarts and deploys.
 */
export class SigningKeyStore extends DurableObject<Env> {
  async keyMaterial(): Promise<KeyMaterial> {
    const stored = this.ctx.storage.kv.get<KeyMaterial>('material');
    if (stored) return stored;
    // Key generation awaits; blockConcurrencyWhile keeps a concurrent first call from making a second set.
    return this.ctx.blockConcurrencyWhile(async () => {
      const again = this.ctx.storage.kv.get<KeyMaterial>('material');
      if (again) return again;
      const material: KeyMaterial = {
        signingKeys: await Promise.all(SIGNING_ALGS.map(newSigningKey)),
        sealingKey: randomToken(32),
      };
      this.ctx.storage.kv.put('material', material);
      return material;
    });
  }
}

export function signingKeyStore(env: Env): DurableObjectStub<SigningKeyStore> {
  return env.SIGNING_KEYS.get(env.SIGNING_KEYS.idFromName('signing-keys'));
}
