import { OAuthError } from '../errors/oauth-error';
import { MANAGEMENT_AUDIENCE } from './management-api';
import type { ApiPolicy } from './policy';
import { checkRedirectUriRegistration } from './redirect-uri-registration';
import { OIDC_SCOPES } from './scope';

/**
 * Client metadata of a dynamic registration (RFC 7591 section 2), checked and reduced to what
 * edge-auth registers: public clients using the authorization code grant with PKCE, redirect URIs
 * under the Management API's rules (RFC 8252), except that `http://localhost:<port>` is accepted
 * as MCP clients register it (src/oauth/redirect-uri-registration.ts). Pure, so every refusal is tested without storage.
 * Metadata this server does not use (logo_uri, client_uri, contacts, jwks, ...) is ignored, as
 * section 2 requires; none of it is stored or shown to users.
 */

export const MAX_REDIRECT_URIS = 10;
export const MAX_CLIENT_NAME_LENGTH = 100;
const MAX_SCOPE_LENGTH = 1000;
/** Shown on the consent page when the client gave no name. */
export const DEFAULT_CLIENT_NAME = 'Unnamed app';
const REGISTRABLE_GRANT_TYPES: readonly string[] = ['authorization_code', 'refresh_token'];

/** What is registered: the server's defaults and reductions applied. */
export interface ClientRegistration {
  clientName: string;
  redirectUris: string[];
  grantTypes: string[];
  scopes: string[];
}

const invalidMetadata = (description: string) => new OAuthError('invalid_client_metadata', description);
const invalidRedirectUri = (description: string) => new OAuthError('invalid_redirect_uri', description);

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw invalidMetadata(`${field} must be an array of strings.`);
  }
  return value;
}

function redirectUris(value: unknown): string[] {
  if (value === undefined) throw invalidRedirectUri('redirect_uris is required: where the app receives the authorization code.');
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw invalidRedirectUri('redirect_uris must be an array of strings.');
  }
  if (value.length === 0 || value.length > MAX_REDIRECT_URIS) throw invalidRedirectUri(`redirect_uris must hold 1 to ${MAX_REDIRECT_URIS} URIs.`);
  if (new Set(value).size !== value.length) throw invalidRedirectUri('redirect_uris must not repeat a URI.');
  value.forEach((uri, index) => {
    const check = checkRedirectUriRegistration(uri, { localhost: true });
    if (!check.ok) throw invalidRedirectUri(`redirect_uris[${index}] ${check.reason}.`);
  });
  return value;
}

/** RFC 7591 section 2: the default is client_secret_basic, but only public clients register here. */
function checkAuthMethod(value: unknown): void {
  if (value === undefined || value === 'none') return;
  throw invalidMetadata(
    'token_endpoint_auth_method must be none: only public clients (PKCE, no secret) may register; ask the operator for a confidential client.',
  );
}

/** Absent: both, since the server issues refresh tokens to these clients (with offline_access). */
function grantTypes(value: unknown): string[] {
  if (value === undefined) return [...REGISTRABLE_GRANT_TYPES];
  const requested = [...new Set(stringList(value, 'grant_types'))];
  const unsupported = requested.find((type) => !REGISTRABLE_GRANT_TYPES.includes(type));
  if (unsupported !== undefined) throw invalidMetadata(`grant_types may hold authorization_code and refresh_token only, not ${unsupported.slice(0, 64)}.`);
  if (!requested.includes('authorization_code')) throw invalidMetadata('grant_types must include authorization_code.');
  return REGISTRABLE_GRANT_TYPES.filter((type) => requested.includes(type));
}

function checkResponseTypes(value: unknown): void {
  if (value === undefined) return;
  const types = stringList(value, 'response_types');
  if (types.length === 0 || types.some((type) => type !== 'code')) throw invalidMetadata('response_types may hold code only.');
}

function clientName(value: unknown): string {
  if (value === undefined) return DEFAULT_CLIENT_NAME;
  if (typeof value !== 'string') throw invalidMetadata('client_name must be a string.');
  const name = value.trim();
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (name.length === 0 || name.length > MAX_CLIENT_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw invalidMetadata(`client_name must be 1 to ${MAX_CLIENT_NAME_LENGTH} characters, without control characters.`);
  }
  return name;
}

/**
 * The scopes the client may ask for: those it listed that the server offers to registered clients
 * (RFC 7591 section 2 lets the server reduce them), or all offered when it listed none. A client
 * registered for refresh_token may also ask for offline_access, without which it would get no
 * refresh token: the registered grant_types then say what the server will do.
 */
function scopes(value: unknown, offered: readonly string[], grants: readonly string[]): string[] {
  if (value === undefined) return [...offered];
  if (typeof value !== 'string' || value.length > MAX_SCOPE_LENGTH) throw invalidMetadata(`scope must be a string of at most ${MAX_SCOPE_LENGTH} characters.`);
  const kept = [...new Set(value.split(' ').filter((scope) => offered.includes(scope)))];
  if (kept.length === 0) throw invalidMetadata(`scope names none of the scopes offered to registered clients: ${offered.join(' ')}.`);
  const refreshes = grants.includes('refresh_token') && offered.includes('offline_access') && !kept.includes('offline_access');
  return refreshes ? [...kept, 'offline_access'] : kept;
}

/**
 * What a registered client may use: the APIs the operator listed (REGISTERED_CLIENT_AUDIENCES),
 * or every API but the Management API, whose tokens are for operators' tools; and the OpenID
 * Connect scopes with those APIs' scopes. Decided at registration and stored with the client.
 */
export function registrationOffer(apis: readonly ApiPolicy[], listed: readonly string[] | undefined): { audiences: string[]; scopes: string[] } {
  const offered = apis.filter((api) => api.identifier !== MANAGEMENT_AUDIENCE && (listed === undefined || listed.includes(api.identifier)));
  return { audiences: offered.map((api) => api.identifier), scopes: [...new Set([...OIDC_SCOPES, ...offered.flatMap((api) => api.scopes)])] };
}

/** Parses a registration request's metadata (RFC 7591 section 3.1), refusing per section 3.2.2. */
export function parseClientMetadata(body: Readonly<Record<string, unknown>>, offeredScopes: readonly string[]): ClientRegistration {
  const uris = redirectUris(body.redirect_uris);
  checkAuthMethod(body.token_endpoint_auth_method);
  checkResponseTypes(body.response_types);
  const grants = grantTypes(body.grant_types);
  return { clientName: clientName(body.client_name), redirectUris: uris, grantTypes: grants, scopes: scopes(body.scope, offeredScopes, grants) };
}

/**
 * Where a code for `redirectUri` would go, for the consent page of an unverified client to say: the
 * host of an http(s) URI (a loopback one is an app on this device), or the app scheme.
 */
export function redirectDestination(redirectUri: string): { place: string; onThisDevice: boolean } {
  const url = URL.parse(redirectUri);
  if (!url) return { place: redirectUri, onThisDevice: false };
  if (url.protocol === 'https:') return { place: url.host, onThisDevice: false };
  return { place: url.protocol === 'http:' ? url.host : url.protocol, onThisDevice: true };
}

/** What a registered client looks like to RFC 7591 and 7592: the stored row, in metadata names. */
export interface RegisteredClient {
  id: string;
  name: string;
  redirectUris: readonly string[];
  grantTypes: readonly string[];
  scopes: readonly string[];
  createdAt: Date;
}

/**
 * RFC 7591 section 3.2.1 (and RFC 7592 section 3): exactly what was registered, with the
 * registration access token and where to use it. The token is the one just issued, or the one the
 * RFC 7592 request presented: only its hash is stored.
 */
export function clientInformation(client: RegisteredClient, registration: { accessToken: string; clientUri: string }) {
  return {
    client_id: client.id,
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    client_name: client.name,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...(client.scopes.length > 0 && { scope: client.scopes.join(' ') }),
    registration_access_token: registration.accessToken,
    registration_client_uri: registration.clientUri,
  };
}
