import { eq, inArray } from 'drizzle-orm';
import { getConfig } from '../config';
import { seal, unseal } from '../crypto/seal';
import { aesKeyFromSecret } from '../crypto/secret-key';
import { database } from './client';
import { connections, type ConnectionRow } from './schema';
import { TtlCache } from './ttl-cache';

/** Connections are read by the login page and the federation routes: kept per isolate like clients. */
const byName = new TtlCache<ConnectionRow>(200);

const SECRET_PURPOSE = 'edge-auth/connection-secret/v1';

export async function findConnectionByName(env: Env, name: string): Promise<ConnectionRow | undefined> {
  const cached = byName.get(name);
  if (cached) return cached;
  const row = await database(env).select().from(connections).where(eq(connections.name, name)).get();
  if (row) byName.set(name, row, getConfig(env).registryCacheTtlSeconds * 1000);
  return row;
}

/** The connections a client offers, in the client's order; unknown names are skipped. */
export async function findConnectionsByName(env: Env, names: readonly string[]): Promise<ConnectionRow[]> {
  if (names.length === 0) return [];
  const missing = names.filter((name) => !byName.get(name));
  if (missing.length) {
    const rows = await database(env).select().from(connections).where(inArray(connections.name, missing));
    for (const row of rows) byName.set(row.name, row, getConfig(env).registryCacheTtlSeconds * 1000);
  }
  return names.map((name) => byName.get(name)).filter((row): row is ConnectionRow => row !== undefined);
}

export function clearConnectionCache(): void {
  byName.clear();
}

/** Thrown when a secret must be sealed but no CONNECTION_SECRETS_KEY is set. */
export class NoSecretsKeyError extends Error {
  override readonly name = 'NoSecretsKeyError';
}

async function secretsKey(env: Env): Promise<CryptoKey> {
  const secret = getConfig(env).connectionSecretsKey;
  if (!secret) throw new NoSecretsKeyError('CONNECTION_SECRETS_KEY is not set');
  return aesKeyFromSecret(secret);
}

/** Seals a client secret or private key for the `secret_sealed` column, bound to the connection's id. */
export async function sealConnectionSecret(env: Env, connectionId: string, secret: string): Promise<string> {
  return seal(await secretsKey(env), `${SECRET_PURPOSE}/${connectionId}`, secret);
}

/**
 * The connection's secret in clear: unsealed, or read from the wrangler secret it names. Undefined
 * when it has none, the key changed, or the named secret is unset.
 */
export async function connectionSecret(env: Env, row: ConnectionRow): Promise<string | undefined> {
  if (row.secretRef) {
    const value = (env as unknown as Record<string, unknown>)[row.secretRef];
    return typeof value === 'string' && value !== '' ? value : undefined;
  }
  if (!row.secretSealed) return undefined;
  const value = await unseal(await secretsKey(env), `${SECRET_PURPOSE}/${row.id}`, row.secretSealed);
  return typeof value === 'string' ? value : undefined;
}
