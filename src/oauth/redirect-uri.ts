/**
 * Loopback redirect with an optional port (RFC 8252 section 7.3). IPv4 and IPv6 literals only:
 * `localhost` can be resolved elsewhere (RFC 8252 section 8.3).
 */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?#].*)?$/s;

function withoutLoopbackPort(uri: string): string | undefined {
  const match = LOOPBACK.exec(uri);
  if (!match) return undefined;
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535 || port.startsWith('0'))) return undefined;
  return `http://${match[1]}${match[3] ?? ''}`;
}

/**
 * Whether `requested` is one of the registered URIs, by exact string comparison (RFC 9700
 * section 2.1); only the port of a loopback URI may differ (RFC 8252 section 7.3). Nothing is
 * normalised: case, percent-encoding, trailing slashes and dot segments must match as registered.
 */
export function matchRedirectUri(requested: string, registered: readonly string[]): boolean {
  if (registered.includes(requested)) return true;
  const requestedLoopback = withoutLoopbackPort(requested);
  return requestedLoopback !== undefined && registered.some((uri) => withoutLoopbackPort(uri) === requestedLoopback);
}

/**
 * Appends response parameters to a redirect URI, keeping its own query (RFC 6749 section 3.1.2).
 * Built as a string: parsing and re-serialising would normalise the URI the client registered.
 */
export function withQuery(redirectUri: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) query.append(name, value);
  }
  const hash = redirectUri.indexOf('#');
  const base = hash === -1 ? redirectUri : redirectUri.slice(0, hash);
  // Nothing to add: the URI exactly as registered, not with a dangling `?`.
  if (query.size === 0) return base;
  return `${base}${base.includes('?') ? '&' : '?'}${query.toString()}`;
}
