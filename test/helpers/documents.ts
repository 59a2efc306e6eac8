import { inject } from 'vitest';
import type { DocumentSpec } from './document-server';
import { DOCUMENT_SERVERS, type DocumentServer as Server } from './document-servers';

/** The local document server (test/helpers/document-server.ts) as the worker sees it. */
export const documentOrigin = (server: Server = DOCUMENT_SERVERS.fetcher) => `http://127.0.0.1:${inject('documentServerPorts')[server]}`;

/** Makes `path` (starting with `/`) answer as `spec` says; its fetch count starts again at 0. */
export async function serveDocument(path: string, spec: DocumentSpec, server: Server = DOCUMENT_SERVERS.fetcher): Promise<string> {
  const response = await fetch(`${documentOrigin(server)}/__documents${path}`, { method: 'PUT', body: JSON.stringify(spec) });
  if (response.status !== 204) throw new Error(`document server answered ${response.status}`);
  return `${documentOrigin(server)}${path}`;
}

/** How many times `path` was fetched since it was last served. */
export async function fetchCount(path: string, server: Server = DOCUMENT_SERVERS.fetcher): Promise<number> {
  const response = await fetch(`${documentOrigin(server)}/__hits${path}`);
  return ((await response.json()) as { hits: number }).hits;
}
