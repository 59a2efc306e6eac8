import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TestProject } from 'vitest/node';
import { DOCUMENT_SERVERS } from './document-servers';

/**
 * A real HTTP server on 127.0.0.1 for the workerd tests to fetch client-supplied URLs from (Client
 * ID Metadata Documents, jwks_uri), started once by vitest as a globalSetup. A test says what a
 * path answers with `PUT /__documents/<path>` (see test/helpers/documents.ts), and the worker then
 * fetches `GET /<path>` over the network like any other URL; `GET /__hits/<path>` counts fetches.
 */
export interface DocumentSpec {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Sent as this many chunks of `body`, with no Content-Length: a stream the reader must cut off. */
  repeat?: number;
  /** Wait before answering (timeouts). */
  delayMs?: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    documentServerPorts: number[];
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function documentServer(): Server {
  const documents = new Map<string, DocumentSpec>();
  const hits = new Map<string, number>();
  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (request.method === 'PUT' && path.startsWith('/__documents/')) {
      documents.set(path.slice('/__documents'.length), JSON.parse(await readBody(request)) as DocumentSpec);
      hits.delete(path.slice('/__documents'.length));
      return response.writeHead(204).end();
    }
    if (path.startsWith('/__hits/')) {
      return response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ hits: hits.get(path.slice('/__hits'.length)) ?? 0 }));
    }
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const spec = documents.get(path);
    if (!spec) return response.writeHead(404).end();
    if (spec.delayMs) await new Promise((resolve) => setTimeout(resolve, spec.delayMs));
    // A single body declares its length; a repeated one is streamed (chunked, no Content-Length).
    const length = spec.repeat ? {} : { 'Content-Length': String(Buffer.byteLength(spec.body ?? '')) };
    response.writeHead(spec.status ?? 200, { 'Content-Type': 'application/json', ...length, ...spec.headers });
    for (let i = 1; i < (spec.repeat ?? 1); i++) {
      // Stop writing once the client has gone: the worker cancels an oversized body.
      if (response.destroyed || !response.write(spec.body ?? '')) break;
    }
    response.end(spec.body ?? '');
  };
  return createServer((request, response) => {
    serve(request, response).catch(() => response.destroy());
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = Object.values(DOCUMENT_SERVERS).map(() => documentServer());
  project.provide('documentServerPorts', await Promise.all(servers.map(listen)));
  return async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  };
}
