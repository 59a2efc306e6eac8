/**
 * Which redirect URIs a client may register (RFC 8252 section 7 for native apps, RFC 9700
 * section 4.1, RFC 6749 section 3.1.2). Request-time matching is exact (src/oauth/redirect-uri.ts),
 * so what is registered must already be exactly what apps will send.
 */
export type RedirectUriCheck = { ok: true } | { ok: false; reason: string };

const MAX_LENGTH = 2048;
/** RFC 3986 scheme; private-use schemes must also be reverse domain names (RFC 8252 section 7.1). */
const SCHEME = /^([a-z][a-z0-9+.-]*):/;
const LOOPBACK_HOSTS = ['127.0.0.1', '[::1]'];

const refuse = (reason: string): RedirectUriCheck => ({ ok: false, reason });

export interface RedirectUriRules {
  /**
   * Accept `http://localhost:<port>` (matched exactly, port included), which RFC 8252 section 8.3
   * only advises against: MCP clients such as Claude Code register it dynamically (the MCP
   * authorization specification allows "localhost URLs"), and refusing it would shut them out.
   * Operators registering their own apps keep the stricter rule.
   */
  localhost?: boolean;
}

function checkHttp(url: URL, uri: string, rules: RedirectUriRules): RedirectUriCheck {
  if (url.username || url.password) return refuse('must not contain user information');
  if (url.href !== uri) return refuse(`must be written in canonical form: ${url.href}`);
  if (url.protocol === 'https:') return { ok: true };
  if (url.hostname === 'localhost' && rules.localhost) return { ok: true };
  if (url.hostname === 'localhost') {
    return refuse(
      'must use http://127.0.0.1 or http://[::1] instead of localhost: the name can resolve to a non-loopback address or be captured by another app (RFC 8252 section 8.3)',
    );
  }
  if (!LOOPBACK_HOSTS.includes(url.hostname)) return refuse('must use https: plain http is allowed only for loopback IP literals (RFC 8252 section 7.3)');
  return { ok: true };
}

export function checkRedirectUriRegistration(uri: string, rules: RedirectUriRules = {}): RedirectUriCheck {
  if (uri.length === 0 || uri.length > MAX_LENGTH) return refuse(`must be 1 to ${MAX_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\s\u0000-\u001f\u007f]/.test(uri)) return refuse('must not contain white space or control characters');
  if (uri.includes('*')) return refuse('must not contain wildcards: redirect URIs are compared exactly');
  if (uri.includes('#')) return refuse('must not contain a fragment (RFC 6749 section 3.1.2)');
  const scheme = SCHEME.exec(uri)?.[1];
  if (!scheme) return refuse('must be an absolute URI with a lower-case scheme');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return refuse('is not a valid URI');
  }
  if (scheme === 'http' || scheme === 'https') return checkHttp(url, uri, rules);
  if (!scheme.includes('.')) {
    return refuse('must use a private-use scheme that is a reverse domain name you control, such as com.example.app (RFC 8252 section 7.1)');
  }
  return { ok: true };
}
