import { DurableObject } from 'cloudflare:workers';
import { exportJWK, generateKeyPair } from 'jose';
import { SIGNING_ALGS, type SigningAlg } from '../crypto/jwt';
import { randomToken } from '../crypto/random';
import {
  isRotationDue,
  KeyRotationError,
  keyWith,
  PUBLISH_AHEAD_MS,
  KeyWithdrawalError,
  retireExpired,
  rotate,
  withdraw,
  withdrawalNeedsNewKey,
  withdrawnKids,
  type KeyStatus,
  type StoredSigningKey,
} from '../oauth/key-lifecycle';

/** Everything an isolate caches from the store, fetched in one round trip. */
export interface KeyMaterial {
  signingKeys: StoredSigningKey[];
  /** Raw AES-256-GCM key (base64url) that seals pending requests and confirmations into cookies and forms. */
  sealingKey: string;
}

/** What operators see of a key: never a private member. */
export interface KeySummary {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  createdAt: string;
  promotedAt: string | undefined;
  demotedAt: string | undefined;
  withdrawnAt: string | undefined;
}

async function newSigningKey(alg: SigningAlg, status: KeyStatus, now: number): Promise<StoredSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const kid = randomToken(12);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  return { kid, alg, status, createdAt: now, ...(status === 'current' ? { promotedAt: now } : {}), privateJwk, publicJwk };
}

export type RotationResult = { ok: true; keys: KeySummary[] } | { ok: false; reason: string };
export type WithdrawalResult =
  | { ok: true; withdrawn: KeySummary; keys: KeySummary[] }
  | { ok: false; code: KeyWithdrawalError['code']; reason: string };

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * The one source of truth for key material: a single object, so every isolate sees the same keys.
 * Keys are made on first use and kept in the object's storage, so tokens stay verifiable across
 * restarts and deploys. Every change runs under blockConcurrencyWhile: key generation awaits, and
 * no other call may see or write half a rotation.
 */
export class SigningKeyStore extends DurableObject<Env> {
  private read(): KeyMaterial | undefined {
    return this.ctx.storage.kv.get<KeyMaterial>('material');
  }

  /** Adds whatever slot is missing: a first start gets a current and a next key per algorithm. */
  private async complete(material: KeyMaterial | undefined, now: number): Promise<KeyMaterial> {
    const keys = [...(material?.signingKeys ?? [])];
    for (const alg of SIGNING_ALGS) {
      if (!keyWith(keys, alg, 'current')) keys.push(await newSigningKey(alg, 'current', now));
      if (!keyWith(keys, alg, 'next')) keys.push(await newSigningKey(alg, 'next', now));
    }
    return { signingKeys: keys, sealingKey: material?.sealingKey ?? randomToken(32) };
  }

  private isComplete(material: KeyMaterial | undefined): material is KeyMaterial {
    return !!material && SIGNING_ALGS.every((alg) => keyWith(material.signingKeys, alg, 'current') && keyWith(material.signingKeys, alg, 'next'));
  }

  async keyMaterial(): Promise<KeyMaterial> {
    const stored = this.read();
    if (this.isComplete(stored)) return stored;
    return this.ctx.blockConcurrencyWhile(async () => {
      const again = this.read();
      if (this.isComplete(again)) return again;
      const material = await this.complete(again, Date.now());
      this.ctx.storage.kv.put('material', material);
      return material;
    });
  }

  /**
   * Rotates the given algorithms now (CLI, management API). `force` skips the publish-ahead wait.
   * Errors are returned, never thrown: a throw inside blockConcurrencyWhile resets the object.
   */
  async rotate(algs: readonly SigningAlg[] = SIGNING_ALGS, force = false): Promise<RotationResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const now = Date.now();
      let keys = (await this.complete(this.read(), now)).signingKeys;
      try {
        for (const alg of algs) keys = rotate(keys, alg, await newSigningKey(alg, 'next', now), now, force);
      } catch (error) {
        if (error instanceof KeyRotationError) return { ok: false, reason: error.message };
        throw error;
      }
      this.save(retireExpired(keys, now));
      return { ok: true, keys: await this.summaries() };
    });
  }

  /**
   * Withdraws a compromised key at once (CLI, management API): unpublished, its private part
   * deleted, and a withdrawn `current` key replaced by the `next` one. Errors are returned, as for
   * `rotate`.
   */
  async withdraw(kid: string): Promise<WithdrawalResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const now = Date.now();
      const keys = (await this.complete(this.read(), now)).signingKeys;
      const alg = keys.find((key) => key.kid === kid)?.alg;
      const newNext = alg && withdrawalNeedsNewKey(keys, kid) ? await newSigningKey(alg, 'next', now) : undefined;
      let changed: StoredSigningKey[];
      try {
        changed = withdraw(keys, kid, now, newNext);
      } catch (error) {
        if (error instanceof KeyWithdrawalError) return { ok: false, code: error.code, reason: error.message };
        throw error;
      }
      this.save(retireExpired(changed, now));
      const summaries = await this.summaries();
      return { ok: true, withdrawn: summaries.find((key) => key.kid === kid)!, keys: summaries };
    });
  }

  /**
   * The kids of withdrawn keys: the one small read every isolate repeats often (src/tokens/key-cache.ts),
   * so a withdrawal reaches every verifier quickly without refetching and re-importing keys.
   */
  async withdrawnKids(): Promise<string[]> {
    return withdrawnKids(this.read()?.signingKeys ?? []);
  }

  /** The cron's job: retire what has expired, rotate what is older than the rotation period. */
  async maintain(rotationPeriodMs: number): Promise<{ rotated: SigningAlg[] }> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const now = Date.now();
      let keys = (await this.complete(this.read(), now)).signingKeys;
      const rotated: SigningAlg[] = [];
      for (const alg of SIGNING_ALGS) {
        if (!isRotationDue(keys, alg, rotationPeriodMs, now)) continue;
        // A next key younger than the publish-ahead time waits for the next run.
        const next = keyWith(keys, alg, 'next');
        if (!next || now - next.createdAt < PUBLISH_AHEAD_MS) continue;
        keys = rotate(keys, alg, await newSigningKey(alg, 'next', now), now);
        rotated.push(alg);
      }
      this.save(retireExpired(keys, now));
      return { rotated };
    });
  }

  async summaries(): Promise<KeySummary[]> {
    return (this.read()?.signingKeys ?? []).map((key) => ({
      kid: key.kid,
      alg: key.alg,
      status: key.status,
      createdAt: iso(key.createdAt)!,
      promotedAt: iso(key.promotedAt),
      demotedAt: iso(key.demotedAt),
      withdrawnAt: iso(key.withdrawnAt),
    }));
  }

  private save(signingKeys: StoredSigningKey[]): void {
    const material = this.read();
    this.ctx.storage.kv.put('material', { signingKeys, sealingKey: material?.sealingKey ?? randomToken(32) });
  }
}

export function signingKeyStore(env: Env): DurableObjectStub<SigningKeyStore> {
  return env.SIGNING_KEYS.get(env.SIGNING_KEYS.idFromName('signing-keys'));
}
