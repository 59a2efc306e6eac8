/**
 * The local document servers (test/helpers/document-server.ts), one host (`127.0.0.1:<port>`) per
 * user of the per-host fetch limit (OUTBOUND_FETCH_LIMIT, 30 a minute), so no test file is refused
 * because another fetched a lot. Kept apart from the server, which only Node can load.
 */
export const DOCUMENT_SERVERS = { fetcher: 0, limit: 1, metadataDocuments: 2, privateKeyJwt: 3 } as const;

export type DocumentServer = (typeof DOCUMENT_SERVERS)[keyof typeof DOCUMENT_SERVERS];
