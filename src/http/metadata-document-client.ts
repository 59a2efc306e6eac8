import { waitUntil } from 'cloudflare:workers';
import { auditorFor } from '../audit/audit-log';
import { getConfig } from '../config';
import { listApis } from '../db/registry';
import type { ApiRow, ClientRow } from '../db/schema';
import { TtlCache } from '../db/ttl-cache';
import {
  checkClientIdUrl,
  METADATA_DOCUMENT_MAX_BYTES,
  metadataCacheSeconds,
  parseClientMetadata,
  type ClientMetadata,
} from '../oauth/client-metadata-document';
import { MANAGEMENT_AUDIENCE } from '../oauth/management-api';
import { OIDC_SCOPES } from '../oauth/scope';
import { fetchClientJson, OutboundFetchError } from './outbound-fetch';

/**
 * A client known by its metadata document URL (src/oauth/client-metadata-document.ts), fetched
 * through the SSRF-defended fetcher; its validated metadata is kept in the isolate's memory for
 * the document's max-age within bounds: a warm isolate serves it with no fetch, a cold one
 * fetches it once. Only validated documents are cached, keyed by their verified URL; refusals are not, so no one can
 * fill the cache with failures (the per-host fetch limit bounds the refetching).
 */
const documentCache = new TtlCache<ClientMetadata>(500);
/** Concurrent requests for one uncached document share a single fetch. */
const inFlight = new Map<string, Promise<ClientMetadata | undefined>>();
const FETCH_TIMEOUT_MS = 3000;
const BEFORE_FETCH = new Set(['client_id', 'url', 'rate_limited']);

/**
 * What a document client may do, decided here rather than by an operator: a public client (its
 * assertions checked when it registered private_key_jwt keys), asked
 * for consent every time and never approved silently by single sign-on, that may ask for the
 * OpenID Connect scopes and those of every API except the Management API (the document's `scope`
 * narrows this).
 */
function clientRow(metadata: ClientMetadata, apis: readonly ApiRow[]): ClientRow {
  const userApis = apis.filter((api) => api.identifier !== MANAGEMENT_AUDIENCE);
  const allowed = [...OIDC_SCOPES, ...userApis.flatMap((api) => api.scopes)];
  const scopes = metadata.scopes ? allowed.filter((scope) => metadata.scopes!.includes(scope)) : allowed;
  const now = new Date();
  return {
    id: metadata.clientId,
    name: metadata.name,
    type: 'public',
    secretHash: null,
    redirectUris: metadata.redirectUris,
    grantTypes: metadata.grantTypes,
    scopes: [...new Set(scopes)],
    audiences: userApis.map((api) => api.identifier),
    postLogoutRedirectUris: [],
    accessTokenTtlSeconds: null,
    refreshTokenAbsoluteTtlSeconds: 30 * 86_400,
    refreshTokenIdleTtlSeconds: 14 * 86_400,
    refreshTokenReuseLeewaySeconds: 0,
    requireConsent: true,
    ssoConfirmation: 'always',
    requirePushedAuthorizationRequests: false,
    dpopBoundAccessTokens: false,
    allowSignup: false,
    requireVerifiedEmail: false,
    defaultLocale: null,
    requireMfa: false,
    registration: 'metadata_document',
    lastUsedAt: null,
    registrationTokenHash: null,
    // A client nobody configured offers no upstream sign-in: that is the operator's choice per client.
    connections: [],
    // Still `public` with private_key_jwt: PKCE stays required, and the row is never stored.
    tokenEndpointAuthMethod: metadata.keys ? 'private_key_jwt' : 'none',
    jwks: metadata.keys && 'jwks' in metadata.keys ? metadata.keys.jwks : null,
    jwksUri: metadata.keys && 'jwksUri' in metadata.keys ? metadata.keys.jwksUri : null,
    iosAppIds: [],
    androidPackages: [],
    logoUri: null,
    primaryColor: null,
    createdAt: now,
    updatedAt: now,
  };
}

async function fetchDocument(env: Env, clientId: string): Promise<ClientMetadata | undefined> {
  const audit = auditorFor(env, waitUntil);
  const refused = (reason: string, detail: string) => {
    const event = { event: 'client_metadata_refused', clientId: clientId.slice(0, 256), detail: { reason, message: detail.slice(0, 200) } } as const;
    // Refusals before any fetch cost the sender nothing, so they are only logged: an audit row
    // each would let anyone grow the table.
    if (BEFORE_FETCH.has(reason)) console.log(JSON.stringify({ audit: event.event, ...event, event: undefined }));
    else audit(event);
    return undefined;
  };
  const url = checkClientIdUrl(clientId, getConfig(env).allowLoopbackFetch);
  if (!url.ok) return refused('client_id', url.reason);
  try {
    const fetched = await fetchClientJson(env, clientId, { maxBytes: METADATA_DOCUMENT_MAX_BYTES, timeoutMs: FETCH_TIMEOUT_MS });
    const metadata = parseClientMetadata(clientId, fetched.body, getConfig(env).allowLoopbackFetch);
    if (!metadata.ok) return refused('document', metadata.reason);
    const seconds = metadataCacheSeconds(fetched.maxAgeSeconds);
    documentCache.set(clientId, metadata.value, seconds * 1000);
    audit({ event: 'client_metadata_fetched', clientId, detail: { cache_seconds: seconds } });
    return metadata.value;
  } catch (error) {
    if (error instanceof OutboundFetchError) return refused(error.reason, error.message);
    throw error;
  }
}

/** The client a metadata document URL describes, or undefined when it cannot be used (audited with the reason). */
export async function findDocumentClient(env: Env, clientId: string): Promise<ClientRow | undefined> {
  let metadata = documentCache.get(clientId);
  if (!metadata) {
    const pending = inFlight.get(clientId) ?? fetchDocument(env, clientId).finally(() => inFlight.delete(clientId));
    inFlight.set(clientId, pending);
    metadata = await pending;
  }
  // Built at each lookup from the APIs as the registry now has them (cached, no round trip when
  // warm), so an API added or removed reaches document clients as it reaches registered ones.
  return metadata && clientRow(metadata, await listApis(env));
}
