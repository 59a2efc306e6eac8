import { findClient as findRegisteredClient, findClientAndApis as findRegisteredClientAndApis, listApis } from '../db/registry';
import type { ApiRow, ClientRow } from '../db/schema';
import { isClientIdUrl } from '../oauth/client-metadata-document';
import { findDocumentClient } from './metadata-document-client';

/**
 * Every client lookup of the OAuth endpoints: a registered client from D1 (through the isolate's
 * cache), or, for a `client_id` that is a URL, the client its metadata document describes.
 */
export async function findClient(env: Env, clientId: string): Promise<ClientRow | undefined> {
  return isClientIdUrl(clientId) ? findDocumentClient(env, clientId) : findRegisteredClient(env, clientId);
}

/** What /authorize needs: the client and all APIs (src/db/registry.ts). */
export async function findClientAndApis(env: Env, clientId: string): Promise<{ client: ClientRow | undefined; apis: ApiRow[] }> {
  if (!isClientIdUrl(clientId)) return findRegisteredClientAndApis(env, clientId);
  const [client, apis] = await Promise.all([findDocumentClient(env, clientId), listApis(env)]);
  return { client, apis };
}
