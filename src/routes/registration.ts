import { sha256Base64url } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { timingSafeEqual } from '../crypto/timing-safe';
import { deleteClient, insertClient, newClientId, readClientRow } from '../db/clients';
import { listApis } from '../db/registry';
import type { ClientRow } from '../db/schema';
import { NO_STORE } from '../errors/no-store';
import { OAuthError } from '../errors/oauth-error';
import type { AppContext } from '../http/context';
import { admitRegistration, presentedBearerToken } from '../http/registration-access';
import { readJsonObject } from '../http/request-body';
import { clientInformation, parseClientMetadata, registrationOffer } from '../oauth/client-metadata';

/** Client ids are 22 characters; a longer path segment names no client and costs no D1 read. */
const MAX_CLIENT_ID_LENGTH = 64;

const clientUri = (c: AppContext, id: string) => `${c.var.config.issuer}/register/${encodeURIComponent(id)}`;

/** The body as RFC 7591 metadata: a body that is not a JSON object is invalid client metadata (section 3.2.2). */
async function readMetadata(c: AppContext): Promise<Record<string, unknown>> {
  try {
    return await readJsonObject(c);
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_request') {
      throw new OAuthError('invalid_client_metadata', error.description, { status: error.status });
    }
    throw error;
  }
}

/**
 * POST /register (RFC 7591 section 3): a public client, unverified: every approval shows the user a
 * page (sso_confirmation `always`), consent is asked (require_consent), and it expires when unused.
 * Round trips: the APIs from the isolate's cache, one D1 insert.
 */
export async function registerClient(c: AppContext): Promise<Response> {
  if ((await admitRegistration(c)) === 'disabled') {
    return c.json({ error: 'not_found', error_description: 'Dynamic client registration is not enabled on this server.' }, 404, NO_STORE);
  }
  const body = await readMetadata(c);
  const offer = registrationOffer(await listApis(c.env), c.var.config.registeredClientAudiences);
  const registration = parseClientMetadata(body, offer.scopes);
  const accessToken = randomToken(32);
  const row = await insertClient(c.env, {
    id: newClientId(),
    name: registration.clientName,
    type: 'public',
    redirectUris: registration.redirectUris,
    grantTypes: registration.grantTypes,
    scopes: registration.scopes,
    audiences: offer.audiences,
    requireConsent: true,
    ssoConfirmation: 'always',
    registration: 'dynamic',
    registrationTokenHash: await sha256Base64url(accessToken),
  });
  c.var.audit({ event: 'client_registered', actor: 'system', clientId: row.id, detail: { policy: c.var.config.clientRegistration } });
  return c.json(clientInformation(row, { accessToken, clientUri: clientUri(c, row.id) }), 201, { ...NO_STORE, Location: clientUri(c, row.id) });
}

/**
 * The client named in the path, if the request's registration access token is its own (RFC 7592
 * section 2): compared as SHA-256 hashes in constant time. An unknown client, one registered by an
 * operator, and a wrong token are the same 401 (section 2.1). One D1 read.
 */
async function registeredClient(c: AppContext): Promise<{ row: ClientRow; token: string }> {
  const token = presentedBearerToken(c);
  const id = c.req.param('client_id') ?? '';
  const refused = new OAuthError('invalid_token', 'The registration access token is not valid for this client.', {
    status: 401,
    headers: { 'WWW-Authenticate': 'Bearer realm="edge-auth", error="invalid_token"' },
  });
  const presentedHash = await sha256Base64url(token);
  if (id.length > MAX_CLIENT_ID_LENGTH) throw refused;
  const row = await readClientRow(c.env, id);
  if (row?.registration !== 'dynamic' || !row.registrationTokenHash || !timingSafeEqual(presentedHash, row.registrationTokenHash)) throw refused;
  return { row, token };
}

/** GET /register/:client_id (RFC 7592 section 2.1): what is registered, as at registration. */
export async function readRegistration(c: AppContext): Promise<Response> {
  const { row, token } = await registeredClient(c);
  return c.json(clientInformation(row, { accessToken: token, clientUri: clientUri(c, row.id) }), 200, NO_STORE);
}

/** DELETE /register/:client_id (RFC 7592 section 2.3): the client and its client grants are deleted at once. */
export async function deleteRegistration(c: AppContext): Promise<Response> {
  const { row } = await registeredClient(c);
  await deleteClient(c.env, row.id);
  c.var.audit({ event: 'client_registration_deleted', actor: `client:${row.id}`, clientId: row.id });
  return c.body(null, 204, NO_STORE);
}
