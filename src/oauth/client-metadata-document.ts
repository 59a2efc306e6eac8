import { checkOutboundUrl } from './outbound-url';
import { checkRedirectUriRegistration } from './redirect-uri-registration';
import { SCOPE_TOKEN } from './scope';

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, the registration
 * MCP's 2025-11-25 specification prefers): a `client_id` that is an https URL names the JSON
 * document describing the client, which the server fetches. Pure: which ids are such URLs, and
 * what a fetched document must say before its client is used.
 */

/** The document is small: the draft's example limit, and the fetcher's cap. */
export const METADATA_DOCUMENT_MAX_BYTES = 5 * 1024;
/** How long a validated document is used: its Cache-Control max-age within these bounds, or the default. */
export const METADATA_CACHE_SECONDS = { min: 60, default: 300, max: 86_400 } as const;
const MAX_NAME_LENGTH = 100;
const MAX_REDIRECT_URIS = 20;
/** No secret can be in a public document: the client holds none, or signs assertions with its own key. */
const AUTH_METHODS = ['none', 'private_key_jwt'];
const MAX_KEYS = 10;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const GRANT_TYPES = ['authorization_code', 'refresh_token'];

export interface ClientMetadata {
  clientId: string;
  name: string;
  redirectUris: string[];
  grantTypes: string[];
  /** The document's `scope`, when it limits what the client may ask for. */
  scopes: string[] | undefined;
  /** `private_key_jwt`: the client's public keys, inline or at a URL (exactly one). */
  keys: { jwks: { keys: Record<string, unknown>[] } } | { jwksUri: string } | undefined;
}

export type MetadataCheck<T> = { ok: true; value: T } | { ok: false; reason: string };
const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** Whether the server should treat `clientId` as a metadata document URL rather than a registered id. */
export function isClientIdUrl(clientId: string): boolean {
  return clientId.startsWith('https://') || clientId.startsWith('http://');
}

/**
 * Draft section 3: an https URL with a path, no fragment, no user information, no dot segments.
 * Compared with the parser's own serialisation, so an id that is not written canonically (an
 * upper-case host, `/a/../b`, `%2e`) is refused rather than normalised into another one.
 */
export function checkClientIdUrl(clientId: string, allowLoopback: boolean): MetadataCheck<URL> {
  const fetchable = checkOutboundUrl(clientId, { allowLoopback });
  if (!fetchable.ok) return refuse(`client_id ${fetchable.reason}`);
  const url = fetchable.url;
  if (clientId.includes('#')) return refuse('client_id must not have a fragment');
  if (url.href !== clientId) return refuse('client_id must be written as a canonical URL, with no dot segments');
  if (url.pathname === '/') return refuse('client_id must have a path');
  return { ok: true, value: url };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

function checkRedirectUris(value: unknown): MetadataCheck<string[]> {
  if (!isStringList(value) || value.length === 0 || value.length > MAX_REDIRECT_URIS) {
    return refuse(`redirect_uris must be a list of 1 to ${MAX_REDIRECT_URIS} URIs`);
  }
  for (const uri of value) {
    const check = checkRedirectUriRegistration(uri);
    if (!check.ok) return refuse(`redirect_uris: ${uri.slice(0, 100)} ${check.reason}`);
  }
  return { ok: true, value: [...new Set(value)] };
}

function checkGrantTypes(value: unknown): MetadataCheck<string[]> {
  if (value === undefined) return { ok: true, value: [...GRANT_TYPES] };
  if (!isStringList(value) || !value.includes('authorization_code') || value.some((type) => !GRANT_TYPES.includes(type))) {
    return refuse('grant_types must include authorization_code and may add only refresh_token');
  }
  return { ok: true, value: [...new Set(value)] };
}

/** RFC 7523 keys for a `private_key_jwt` document: a JWK set of public keys, or an https URL the fetcher accepts. */
function checkKeys(document: Record<string, unknown>, allowLoopback: boolean): MetadataCheck<ClientMetadata['keys']> {
  const { jwks, jwks_uri: jwksUri } = document;
  if ((jwks === undefined) === (jwksUri === undefined)) return refuse('private_key_jwt needs exactly one of jwks and jwks_uri');
  if (typeof jwksUri === 'string') {
    const check = checkOutboundUrl(jwksUri, { allowLoopback });
    return check.ok ? { ok: true, value: { jwksUri } } : refuse(`jwks_uri ${check.reason}`);
  }
  const keys = isRecord(jwks) ? jwks.keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS || !keys.every(isRecord)) return refuse(`jwks must hold 1 to ${MAX_KEYS} keys`);
  if (keys.some((key) => typeof key.kty !== 'string' || key.kty === 'oct' || PRIVATE_MEMBERS.some((member) => member in key))) {
    return refuse('jwks must hold public RSA, EC or OKP keys only');
  }
  return { ok: true, value: { jwks: { keys } } };
}

function checkScope(value: unknown): MetadataCheck<string[] | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  if (typeof value !== 'string') return refuse('scope must be a string');
  const scopes = value.split(' ').filter((token) => token !== '');
  if (!scopes.every((token) => SCOPE_TOKEN.test(token))) return refuse('scope is malformed');
  return { ok: true, value: scopes };
}

/**
 * Draft section 4: the document must name itself (`client_id` equal to the URL, character for
 * character), say who it is and where codes go, and hold no secret, since anyone can read it:
 * `token_endpoint_auth_method` is `none`, or `private_key_jwt` with its public keys.
 */
export function parseClientMetadata(clientId: string, document: unknown, allowLoopback = false): MetadataCheck<ClientMetadata> {
  if (!isRecord(document)) return refuse('the document is not a JSON object');
  if (document.client_id !== clientId) return refuse('the document\'s client_id is not the URL it was fetched from');
  const name = document.client_name;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    return refuse(`client_name must be 1 to ${MAX_NAME_LENGTH} printable characters`);
  }
  if ('client_secret' in document || 'client_secret_expires_at' in document) return refuse('the document must not carry a client_secret');
  const method = document.token_endpoint_auth_method ?? 'none';
  if (typeof method !== 'string' || !AUTH_METHODS.includes(method)) return refuse(`token_endpoint_auth_method must be ${AUTH_METHODS.join(' or ')}`);
  if (document.response_types !== undefined && !(isStringList(document.response_types) && document.response_types.every((type) => type === 'code'))) {
    return refuse('response_types may only be code');
  }
  const redirectUris = checkRedirectUris(document.redirect_uris);
  if (!redirectUris.ok) return redirectUris;
  const grantTypes = checkGrantTypes(document.grant_types);
  if (!grantTypes.ok) return grantTypes;
  const scopes = checkScope(document.scope);
  if (!scopes.ok) return scopes;
  const keys: MetadataCheck<ClientMetadata['keys']> = method === 'private_key_jwt' ? checkKeys(document, allowLoopback) : { ok: true, value: undefined };
  if (!keys.ok) return keys;
  return {
    ok: true,
    value: { clientId, name: name.trim(), redirectUris: redirectUris.value, grantTypes: grantTypes.value, scopes: scopes.value, keys: keys.value },
  };
}

/** The host that published a metadata-document client's name, for the pages; undefined for a registered client. */
export function metadataPublisher(clientId: string): string | undefined {
  return isClientIdUrl(clientId) && URL.canParse(clientId) ? new URL(clientId).host : undefined;
}

/** Seconds to keep a validated document: its max-age, bounded, so neither a flood of fetches nor a stale client for days. */
export function metadataCacheSeconds(maxAgeSeconds: number | undefined): number {
  const { min, max } = METADATA_CACHE_SECONDS;
  return Math.min(max, Math.max(min, maxAgeSeconds ?? METADATA_CACHE_SECONDS.default));
}

