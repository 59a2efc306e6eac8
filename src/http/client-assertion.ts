import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { getConfig } from '../config';
import { rememberAssertionJti } from '../db/client-assertion-jtis';
import { errorKind } from '../errors/error-kind';
import type { ClientRow } from '../db/schema';
import { TtlCache } from '../db/ttl-cache';
import { assertionProblem, CLIENT_ASSERTION_ALGS } from '../oauth/client-assertion';
import { fetchClientJson, OutboundFetchError } from './outbound-fetch';

/** Why an assertion was refused: logged by the caller, never sent to the client (it gets invalid_client). */
export class ClientAssertionError extends Error {
  override readonly name = 'ClientAssertionError';
}

const JWKS_MAX_BYTES = 16 * 1024;
const JWKS_TIMEOUT_MS = 3000;
/** A client's `jwks_uri` set is kept for its max-age within these bounds, so a rotation is seen within an hour. */
const JWKS_CACHE_SECONDS = { min: 60, default: 300, max: 3600 };
const jwksCache = new TtlCache<JSONWebKeySet>(200);
/** Five seconds of clock difference with the client, either way. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** The `sub` of an assertion, read before its signature is checked: only to find the client whose keys check it. */
export function assertionSubject(assertion: string): string | undefined {
  try {
    const { sub } = decodeJwt(assertion);
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}

function isKeySet(value: unknown): value is JSONWebKeySet {
  return typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys);
}

async function clientKeys(env: Env, client: ClientRow): Promise<JSONWebKeySet> {
  if (client.jwks) return client.jwks as unknown as JSONWebKeySet;
  if (!client.jwksUri) throw new ClientAssertionError('the client has no jwks or jwks_uri');
  const cached = jwksCache.get(client.jwksUri);
  if (cached) return cached;
  try {
    const fetched = await fetchClientJson(env, client.jwksUri, { maxBytes: JWKS_MAX_BYTES, timeoutMs: JWKS_TIMEOUT_MS });
    if (!isKeySet(fetched.body)) throw new ClientAssertionError('jwks_uri does not hold a JWK set');
    const seconds = Math.min(JWKS_CACHE_SECONDS.max, Math.max(JWKS_CACHE_SECONDS.min, fetched.maxAgeSeconds ?? JWKS_CACHE_SECONDS.default));
    jwksCache.set(client.jwksUri, fetched.body, seconds * 1000);
    return fetched.body;
  } catch (error) {
    if (error instanceof OutboundFetchError) throw new ClientAssertionError(`jwks_uri: ${error.message}`);
    throw error;
  }
}

/** This server's names an assertion's `aud` may use: the issuer, and the endpoints that take client authentication. */
function acceptedAudiences(issuer: string): string[] {
  return [issuer, ...['/oauth/token', '/oauth/revoke', '/oauth/introspect', '/par'].map((path) => `${issuer}${path}`)];
}

/**
 * RFC 7523 section 3: the assertion is signed by one of the client's keys (chosen by `kid` when it
 * names one) with an asymmetric algorithm, its claims are acceptable, and its `jti` was not used
 * before (one D1 write, which also makes it used).
 */
export async function verifyClientAssertion(env: Env, client: ClientRow, assertion: string): Promise<void> {
  const keys = createLocalJWKSet(await clientKeys(env, client));
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, keys, { algorithms: CLIENT_ASSERTION_ALGS, clockTolerance: CLOCK_TOLERANCE_SECONDS }));
  } catch (error) {
    throw new ClientAssertionError(`the assertion does not verify: ${errorKind(error)}`);
  }
  const now = Math.floor(Date.now() / 1000);
  const problem = assertionProblem(payload, client.id, acceptedAudiences(getConfig(env).issuer), now);
  if (problem) throw new ClientAssertionError(problem);
  if (!(await rememberAssertionJti(env, client.id, payload.jti!, new Date((payload.exp! + CLOCK_TOLERANCE_SECONDS) * 1000)))) {
    throw new ClientAssertionError('the jti was used before');
  }
}
