import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from './wrangler.mjs';

/**
 * The Management API token, kept between runs: each fetch of one is a `client_credentials_issued`
 * row in the audit log, which would otherwise be half the log. One file per (base URL, client id)
 * under the gitignored `.wrangler/`, readable by its owner only. A token is reused only by a caller
 * that knows the secret it was fetched with, and not in the last minute of its life.
 */

export const TOKEN_CACHE_DIR = join(PROJECT_ROOT, '.wrangler', 'admin-tokens');
/** A token this close to its expiry is not reused: a command may run for a while. */
const MARGIN_MS = 60_000;

/**
 * @typedef {object} TokenCache
 * @property {() => Promise<string | undefined>} read  a token still worth using, if there is one
 * @property {(token: string, expiresInSeconds: number) => Promise<void>} write
 * @property {() => Promise<void>} drop  forget it (the API refused it)
 */

/**
 * @param {import('./connection.mjs').Connection} connection
 * @param {{ dir?: string, now?: () => number, debug?: (line: string) => void }} [options]
 * @returns {TokenCache}
 */
export function createTokenCache(connection, { dir = TOKEN_CACHE_DIR, now = Date.now, debug = () => {} } = {}) {
  const key = `${connection.baseUrl.href}\n${connection.clientId}`;
  const file = join(dir, `${createHash('sha256').update(key).digest('base64url')}.json`);
  // Proves knowledge of the secret without storing it: a wrong or rotated secret fetches anew.
  const secretCheck = createHmac('sha256', connection.clientSecret).update(key).digest('base64url');

  return {
    async read() {
      const entry = await readEntry(file);
      if (entry?.secret_check !== secretCheck || typeof entry.access_token !== 'string') return undefined;
      if (!(Number(entry.expires_at) - MARGIN_MS > now())) return undefined;
      debug('using the cached Management API token');
      return entry.access_token;
    },
    async write(token, expiresInSeconds) {
      const entry = {
        base_url: connection.baseUrl.href,
        client_id: connection.clientId,
        secret_check: secretCheck,
        expires_at: now() + expiresInSeconds * 1000,
        access_token: token,
      };
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await pruneExpired(dir, now());
        // Written whole, then renamed: a concurrent run reads the old file or the new, never half.
        const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
        await writeFile(temporary, JSON.stringify(entry), { mode: 0o600, flag: 'wx' });
        await rename(temporary, file);
      } catch (error) {
        // The cache saves audit rows; without it every run still works.
        debug(`could not cache the token in ${dir}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    async drop() {
      await rm(file, { force: true });
    },
  };
}

/**
 * @param {string} file
 * @returns {Promise<Record<string, unknown> | undefined>}
 */
async function readEntry(file) {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8'));
    return typeof entry === 'object' && entry !== null ? entry : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the files of tokens that have expired (other URLs and clients too), so the folder does
 * not grow with every port a test run used.
 * @param {string} dir
 * @param {number} now
 */
async function pruneExpired(dir, now) {
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.json')) continue;
    const entry = await readEntry(join(dir, name));
    if (!(Number(entry?.expires_at) > now)) await rm(join(dir, name), { force: true });
  }
}
