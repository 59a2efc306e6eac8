import * as oauth from 'oauth4webapi';
import { importPKCS8, SignJWT } from 'jose';
import { getConfig } from '../config';
import { connectionSecret } from '../db/connections';
import { errorKind } from '../errors/error-kind';
import type { ConnectionRow } from '../db/schema';
import { APPLE_AUDIENCE, APPLE_CLIENT_SECRET_TTL_SECONDS, GITHUB, PRESET_ISSUERS } from '../oauth/connection-presets';
import { fetchUpstream, OutboundFetchError, type OutboundLimits } from './outbound-fetch';

/** Why an upstream sign-in failed: `reason` is stable (audit events, tests), the message for logs only. */
export type UpstreamFailure = 'denied' | 'unavailable' | 'misconfigured' | 'bad_response' | 'bad_token';

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly reason: UpstreamFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Discovery documents and JWK sets are small; a token answer carries a few tokens. */
const LIMITS: OutboundLimits = { maxBytes: 64 * 1024, timeoutMs: 5000 };
/** A discovery document is kept this long per isolate: an upstream's endpoints change rarely. */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;

const discovered = new Map<string, { as: oauth.AuthorizationServer; until: number }>();
/** oauth4webapi's JWKS cache, one per issuer: it refreshes it itself when a `kid` is unknown. */
const jwksCaches = new Map<string, oauth.JWKSCacheInput>();

/** Everything oauth4webapi needs to talk to one connection's upstream. */
export interface Upstream {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  /** Options for every oauth4webapi call: our fetcher, and plain http only under DEV_LOOPBACK_FETCH. */
  options: { [oauth.customFetch]: typeof fetch; [oauth.allowInsecureRequests]: boolean };
  jwksCache: oauth.JWKSCacheInput;
  isOpenId: boolean;
}

const issuerOf = (row: ConnectionRow): string => row.issuer ?? PRESET_ISSUERS[row.type] ?? '';

function fetcherFor(env: Env): typeof fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) =>
    fetchUpstream(env, input instanceof Request ? input.url : String(input), init ?? {}, LIMITS)) as typeof fetch;
}

async function discover(env: Env, issuer: string, options: Upstream['options']): Promise<oauth.AuthorizationServer> {
  const cached = discovered.get(issuer);
  if (cached && cached.until > Date.now()) return cached.as;
  const issuerUrl = new URL(issuer);
  const as = await oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, { ...options, algorithm: 'oidc' }));
  if (discovered.size >= 100) discovered.delete(discovered.keys().next().value!);
  discovered.set(issuer, { as, until: Date.now() + DISCOVERY_TTL_MS });
  return as;
}

/** The connection's upstream, its discovery document from the isolate's cache or fetched once. */
export async function upstreamFor(env: Env, row: ConnectionRow): Promise<Upstream> {
  const options = { [oauth.customFetch]: fetcherFor(env), [oauth.allowInsecureRequests]: getConfig(env).allowLoopbackFetch };
  const client: oauth.Client = { client_id: row.clientId };
  if (row.type === 'github') {
    const as: oauth.AuthorizationServer = {
      issuer: GITHUB.issuer,
      authorization_endpoint: GITHUB.authorizationEndpoint,
      token_endpoint: GITHUB.tokenEndpoint,
    };
    return { as, client, options, jwksCache: {}, isOpenId: false };
  }
  const issuer = issuerOf(row);
  try {
    const as = await discover(env, issuer, options);
    if (!jwksCaches.has(issuer)) jwksCaches.set(issuer, {});
    return { as, client, options, jwksCache: jwksCaches.get(issuer)!, isOpenId: true };
  } catch (error) {
    throw asUpstreamError(error, 'the discovery document');
  }
}

/** Apple's client secret: a JWT the team signs with its key, made fresh for each token request. */
export async function appleClientSecret(row: ConnectionRow, privateKeyPem: string): Promise<string> {
  const key = await importPKCS8(privateKeyPem, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: row.appleKeyId ?? '' })
    .setIssuer(row.appleTeamId ?? '')
    .setSubject(row.clientId)
    .setAudience(APPLE_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + APPLE_CLIENT_SECRET_TTL_SECONDS)
    .sign(key);
}

/** How edge-auth authenticates to the upstream's token endpoint. */
export async function clientAuthFor(env: Env, row: ConnectionRow): Promise<oauth.ClientAuth> {
  const secret = await connectionSecret(env, row);
  if (secret === undefined) throw new UpstreamError('misconfigured', 'the connection has no usable secret (sealing key or wrangler secret)');
  if (row.type !== 'apple') return oauth.ClientSecretPost(secret);
  try {
    return oauth.ClientSecretPost(await appleClientSecret(row, secret));
  } catch {
    throw new UpstreamError('misconfigured', 'the Apple private key is not an ES256 PKCS#8 key');
  }
}

/** Any failure talking to the upstream as one typed error, without its secrets. */
export function asUpstreamError(error: unknown, what: string): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof OutboundFetchError) return new UpstreamError('unavailable', `${what}: ${error.reason}: ${error.message}`);
  if (error instanceof oauth.ResponseBodyError) return new UpstreamError('bad_response', `${what}: the upstream answered ${error.error}`);
  if (error instanceof oauth.OperationProcessingError) return new UpstreamError('bad_token', `${what}: ${error.code ?? 'invalid'}: ${error.message}`);
  if (error instanceof oauth.WWWAuthenticateChallengeError) return new UpstreamError('bad_response', `${what}: the upstream refused our credentials`);
  return new UpstreamError('bad_response', `${what}: ${errorKind(error)}`);
}
