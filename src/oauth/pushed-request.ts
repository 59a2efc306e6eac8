import { randomToken } from '../crypto/random';

/**
 * RFC 9126 section 2.2: the request_uri a pushed authorization request is referenced by. The part
 * after the prefix is 256 random bits (base64url): unguessable (RFC 9101 section 10.2 (d)), and
 * the name of the one object that holds the request.
 */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
const REQUEST_URI = /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/;

/** A pushed authorization request as stored until /authorize uses it, or it expires. */
export interface PushedRequest {
  clientId: string;
  /** The authorization request's parameters as pushed (each once), client_id included, credentials left out. */
  params: Record<string, string>;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Client authentication belongs to the push, not to the request it leaves behind (RFC 9126 section 2.1). */
const CREDENTIALS: ReadonlySet<string> = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

export function newRequestUri(): string {
  return `${REQUEST_URI_PREFIX}${randomToken(32)}`;
}

/** A request_uri of ours, as /par issues them; the front channel may carry anything else. */
export function isPushedRequestUri(value: string): boolean {
  return REQUEST_URI.test(value);
}

/** What is kept of a push by the authenticated client: the request's parameters, never its credentials. */
export function pushedRequest(clientId: string, params: Map<string, string>, expiresAt: number): PushedRequest {
  const kept = [...params].filter(([name]) => !CREDENTIALS.has(name));
  return { clientId, params: { ...Object.fromEntries(kept), client_id: clientId }, expiresAt };
}

/** RFC 9126 section 4: "An expired request_uri MUST be rejected as invalid." */
export function usablePushedRequest(stored: PushedRequest | undefined, now: number): PushedRequest | undefined {
  return stored !== undefined && stored.expiresAt > now ? stored : undefined;
}
