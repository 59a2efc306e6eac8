/**
 * Which client-supplied URLs the server may fetch (Client ID Metadata Documents, `jwks_uri`):
 * the name-based half of the SSRF defence (SECURITY.md, "Fetching client-supplied URLs"). A worker
 * cannot resolve a name before fetching it, so what is checked here is the URL as written: its
 * scheme, port, credentials, and a host that is an IP literal outside the public unicast ranges or
 * a name that only a local network can answer. Pure, so every rule is tested without the runtime.
 */
export type OutboundUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export interface OutboundUrlPolicy {
  /** Dev and tests only (DEV_LOOPBACK_FETCH): `http(s)://127.0.0.1:<port>` is allowed. */
  allowLoopback: boolean;
}

const MAX_URL_LENGTH = 2048;
/** Names that resolve only on the machine or the local network (RFC 6761, RFC 6762, RFC 8375). */
const LOCAL_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/;

const refuse = (reason: string): OutboundUrlCheck => ({ ok: false, reason });

/** IPv4 blocks that are not public unicast (RFC 6890 and its registry), as [base address, prefix length]. */
const IPV4_BLOCKED: readonly [number, number][] = [
  [0x00000000, 8], // "this network", 0.0.0.0
  [0x0a000000, 8], // private (RFC 1918)
  [0x64400000, 10], // CGNAT shared space (RFC 6598)
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local, cloud metadata services (169.254.169.254)
  [0xac100000, 12], // private (RFC 1918)
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0000200, 24], // TEST-NET-1
  [0xc0a80000, 16], // private (RFC 1918)
  [0xc6120000, 15], // benchmarking
  [0xc6336400, 24], // TEST-NET-2
  [0xcb007100, 24], // TEST-NET-3
  [0xe0000000, 4], // multicast
  [0xf0000000, 4], // reserved, and the broadcast address
];

function ipv4Number(host: string): number | undefined {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

function isPublicIpv4(address: number): boolean {
  return !IPV4_BLOCKED.some(([base, prefix]) => Math.floor(address / 2 ** (32 - prefix)) === Math.floor(base / 2 ** (32 - prefix)));
}

/** The eight 16-bit groups of an IPv6 literal as the URL parser writes it (compressed, hex only). */
function ipv6Groups(literal: string): number[] | undefined {
  const halves = literal.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<number>(missing).fill(0), ...tail];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

/**
 * Only global unicast (2000::/3) is public; inside it, documentation and Teredo are refused, and
 * 6to4 is judged by the IPv4 address it carries. Everything else is loopback, unspecified,
 * IPv4-mapped or -compatible, NAT64, link-local, site-local, unique-local or multicast.
 */
function isPublicIpv6(groups: readonly number[]): boolean {
  const [first = 0, second = 0, third = 0] = groups;
  if (first < 0x2000 || first > 0x3fff) return false;
  if (first === 0x2001 && (second === 0x0db8 || second === 0x0000)) return false;
  if (first === 0x2002) return isPublicIpv4(second * 65_536 + third);
  return true;
}

function hostProblem(hostname: string): string | undefined {
  if (hostname.startsWith('[')) {
    const groups = ipv6Groups(hostname.slice(1, -1));
    return groups && isPublicIpv6(groups) ? undefined : 'is an IPv6 address that is not public (loopback, private, link-local or reserved)';
  }
  const ipv4 = ipv4Number(hostname);
  if (ipv4 !== undefined) return isPublicIpv4(ipv4) ? undefined : 'is an IPv4 address that is not public (loopback, private, link-local, CGNAT or reserved)';
  if (!hostname.includes('.')) return 'is a single-label name, which only a local network resolves';
  if (LOCAL_NAMES.test(hostname.replace(/\.$/, ''))) return 'is a name that resolves only on this machine or a local network';
  return undefined;
}

const isLoopbackLiteral = (hostname: string) => hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

/**
 * Whether `raw` may be fetched: https on the default port, no credentials, a public host. The
 * URL parser has already turned every IPv4 spelling (`0x7f.1`, `2130706433`) and IPv6 form into
 * one canonical literal, so the ranges are checked on that.
 */
export function checkOutboundUrl(raw: string, policy: OutboundUrlPolicy): OutboundUrlCheck {
  if (raw.length > MAX_URL_LENGTH) return refuse(`is longer than ${MAX_URL_LENGTH} characters`);
  if (!URL.canParse(raw)) return refuse('is not an absolute URL');
  const url = new URL(raw);
  if (url.username || url.password) return refuse('must not contain credentials');
  if (policy.allowLoopback && isLoopbackLiteral(url.hostname) && (url.protocol === 'http:' || url.protocol === 'https:')) return { ok: true, url };
  if (url.protocol !== 'https:') return refuse('must use https');
  if (url.port !== '') return refuse('must use the default https port');
  const problem = hostProblem(url.hostname);
  return problem ? refuse(`host ${problem}`) : { ok: true, url };
}
