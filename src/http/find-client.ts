import { getConfig } from '../config';
import { findClient as findRegisteredClient, findClientAndApis as findRegisteredClientAndApis, listApis } from '../db/registry';
import type { ApiRow, ClientRow } from '../db/schema';
import { isClientIdUrl } from '../oauth/client-metadata-document';
import { findDocumentClient } from './metadata-document-client';

/**
 * Every client lookup of the OAuth endpoints: a registered client from D1 (through the isolate's
 * cache), or, for a `client_id` that is a URL, the client its metadata document describes.
 */
export async function findClient(env: Env, clientId: string): Promise<ClientRow | undefined> {
  if (!isClientIdUrl(clientId)) return findRegisteredClient(env, clientId);
  return documentClientsAllowed(env) ? findDocumentClient(env, clientId) : undefined;
}

/** With CLIENT_ID_METADATA_DOCUMENTS off, a URL client_id is just an unknown client: nothing is fetched. */
const documentClientsAllowed = (env: Env) => getConfig(env).clientIdMetadataDocuments;

/** What /authorize needs: the client and all APIs (src/db/registry.ts). */
export async function findClientAndApis(env: Env, clientId: string): Promise<{ client: ClientRow | undefined; apis: ApiRow[] }> {
  if (!isClientIdUrl(clientId)) return findRegisteredClientAndApis(env, clientId);
  if (!documentClientsAllowed(env)) return { client: undefined, apis: [] };
  const [client, apis] = await Promise.all([findDocumentClient(env, clientId), listApis(env)]);
  return { client, apis };
}
