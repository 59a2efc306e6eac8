import { getConfig } from '../config';
import { checkOutboundUrl } from '../oauth/outbound-url';

/**
 * The one way edge-auth fetches a URL a client chose (its Client ID Metadata Document, its
 * `jwks_uri`): every rule of SECURITY.md, "Fetching client-supplied URLs", in one place.
 */

export type OutboundRefusal = 'url' | 'rate_limited' | 'timeout' | 'network' | 'redirect' | 'status' | 'content_type' | 'too_large' | 'not_json';

/** Why a fetch was refused: `reason` is stable (audit events, tests); the message is for logs only. */
export class OutboundFetchError extends Error {
  override readonly name = 'OutboundFetchError';
  constructor(
    readonly reason: OutboundRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface OutboundLimits {
  /** The largest body read; a larger one is refused before it is buffered. */
  maxBytes: number;
  /** The whole exchange, body included. */
  timeoutMs: number;
}

export interface FetchedJson {
  body: unknown;
  /** Cache-Control max-age (seconds); 0 for no-store or no-cache, undefined when absent. */
  maxAgeSeconds: number | undefined;
}

/** `application/json` or any `+json` type (`application/jwk-set+json`), parameters ignored. */
const JSON_TYPE = /^application\/([a-z0-9.-]+\+)?json\s*(;|$)/i;

export function cacheMaxAge(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/(^|,)\s*(no-store|no-cache)\s*(,|=|$)/i.test(header)) return 0;
  const match = /(^|,)\s*max-age\s*=\s*"?(\d{1,10})"?\s*(,|$)/i.exec(header);
  return match ? Number(match[2]) : undefined;
}

/** Reads at most `maxBytes`, chunk by chunk: a larger body is cancelled, never buffered whole. */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('Content-Length') ?? NaN);
  if (declared > maxBytes) throw new OutboundFetchError('too_large', `Content-Length ${declared} is over ${maxBytes} bytes`);
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new OutboundFetchError('too_large', `the body is over ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function exchange(url: URL, limits: OutboundLimits): Promise<{ response: Response; bytes: Uint8Array }> {
  try {
    // No cookies or credentials of ours go out; redirects are answered, never followed.
    const response = await fetch(url, {
      method: 'GET',
      redirect: 'manual',
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(limits.timeoutMs),
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new OutboundFetchError('redirect', `answered ${response.status}: redirects are not followed`);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new OutboundFetchError('status', `answered ${response.status}`);
    }
    if (!JSON_TYPE.test(response.headers.get('Content-Type') ?? '')) {
      await response.body?.cancel();
      throw new OutboundFetchError('content_type', 'the Content-Type is not JSON');
    }
    return { response, bytes: await readCapped(response, limits.maxBytes) };
  } catch (error) {
    if (error instanceof OutboundFetchError) throw error;
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new OutboundFetchError('timeout', `no complete answer within ${limits.timeoutMs} ms`);
    }
    throw new OutboundFetchError('network', 'the fetch failed');
  }
}

/**
 * GETs a JSON document from a client-supplied URL, or throws OutboundFetchError: the URL must pass
 * checkOutboundUrl, the host must be under its fetch limit (OUTBOUND_FETCH_LIMIT, per host, counted
 * by the platform with no storage call), and the answer must be a 200 with a JSON type, within
 * `limits` of size and time, with no redirect.
 */
export async function fetchClientJson(env: Env, rawUrl: string, limits: OutboundLimits): Promise<FetchedJson> {
  const checked = checkOutboundUrl(rawUrl, { allowLoopback: getConfig(env).allowLoopbackFetch });
  if (!checked.ok) throw new OutboundFetchError('url', `the URL ${checked.reason}`);
  const { success } = await env.OUTBOUND_FETCH_LIMIT.limit({ key: checked.url.host });
  if (!success) throw new OutboundFetchError('rate_limited', `too many fetches from ${checked.url.host}`);
  const { response, bytes } = await exchange(checked.url, limits);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new OutboundFetchError('not_json', 'the body is not UTF-8 JSON');
  }
  return { body, maxAgeSeconds: cacheMaxAge(response.headers.get('Cache-Control')) };
}

/**
 * The same rules for an upstream identity provider's endpoints (discovery, JWKS, token, user
 * info), used as oauth4webapi's `customFetch`: the URL checked, no redirect followed, the time and
 * size capped. The status and body are left to oauth4webapi to judge. No per-host limit: the
 * operator chose these hosts, and every sign-in through a provider fetches from it.
 */
export async function fetchUpstream(env: Env, rawUrl: string, init: RequestInit, limits: OutboundLimits): Promise<Response> {
  const checked = checkOutboundUrl(rawUrl, { allowLoopback: getConfig(env).allowLoopbackFetch });
  if (!checked.ok) throw new OutboundFetchError('url', `the URL ${checked.reason}`);
  try {
    const response = await fetch(checked.url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(limits.timeoutMs) });
    const bytes = await readCapped(response, limits.maxBytes);
    return new Response(bytes, { status: response.status, headers: response.headers });
  } catch (error) {
    if (error instanceof OutboundFetchError) throw error;
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new OutboundFetchError('timeout', `no complete answer within ${limits.timeoutMs} ms`);
    }
    throw new OutboundFetchError('network', 'the fetch failed');
  }
}
