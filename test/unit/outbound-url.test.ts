import { describe, expect, it } from 'vitest';
import { checkOutboundUrl } from '../../src/oauth/outbound-url';

const production = { allowLoopback: false };
const development = { allowLoopback: true };

describe('client-supplied URLs edge-auth may fetch (SSRF, SECURITY.md)', () => {
  it.each([
    'https://app.example.com/client.json',
    'https://app.example.com/oauth/client?v=2',
    'https://93.184.215.14/client.json',
    'https://[2606:4700::6810:84e5]/client.json',
    'https://[2002:5db8:d70e::1]/client.json', // 6to4 of a public IPv4 address
  ])('accepts %s', (url) => {
    expect(checkOutboundUrl(url, production)).toMatchObject({ ok: true });
  });

  it.each([
    // Scheme, port, credentials
    ['http://app.example.com/client.json', /https/],
    ['ftp://app.example.com/client.json', /https/],
    ['https://app.example.com:8443/client.json', /default https port/],
    ['https://user:pw@app.example.com/client.json', /credentials/],
    ['not a url', /absolute/],
    [`https://app.example.com/${'a'.repeat(2100)}`, /longer/],
    // IPv4: loopback, private, link-local (metadata services), CGNAT, unspecified, reserved
    ['https://127.0.0.1/x', /IPv4/],
    ['https://127.1.2.3/x', /IPv4/],
    ['https://0x7f.1/x', /IPv4/], // the URL parser makes it 127.0.0.1
    ['https://2130706433/x', /IPv4/],
    ['https://10.1.2.3/x', /IPv4/],
    ['https://172.16.0.1/x', /IPv4/],
    ['https://172.31.255.255/x', /IPv4/],
    ['https://192.168.1.1/x', /IPv4/],
    ['https://169.254.169.254/latest/meta-data', /IPv4/],
    ['https://100.64.0.1/x', /IPv4/],
    ['https://100.127.255.254/x', /IPv4/],
    ['https://0.0.0.0/x', /IPv4/],
    ['https://224.0.0.1/x', /IPv4/],
    ['https://255.255.255.255/x', /IPv4/],
    ['https://198.18.0.1/x', /IPv4/],
    // IPv6: loopback, unspecified, v4-mapped, NAT64, link-local, unique-local, site-local, multicast, documentation, Teredo, 6to4 of a private address
    ['https://[::1]/x', /IPv6/],
    ['https://[::]/x', /IPv6/],
    ['https://[::ffff:127.0.0.1]/x', /IPv6/],
    ['https://[::ffff:a9fe:a9fe]/x', /IPv6/],
    ['https://[::ffff:8.8.8.8]/x', /IPv6/],
    ['https://[64:ff9b::a00:1]/x', /IPv6/],
    ['https://[fe80::1]/x', /IPv6/],
    ['https://[fc00::1]/x', /IPv6/],
    ['https://[fd12:3456::1]/x', /IPv6/],
    ['https://[fec0::1]/x', /IPv6/],
    ['https://[ff02::1]/x', /IPv6/],
    ['https://[2001:db8::1]/x', /IPv6/],
    ['https://[2001:0:4136:e378::1]/x', /IPv6/],
    ['https://[2002:a00:1::1]/x', /IPv6/],
    // Names only this machine or a local network resolves
    ['https://localhost/x', /local/],
    ['https://LOCALHOST./x', /local/],
    ['https://api.localhost/x', /local/],
    ['https://printer.local/x', /local/],
    ['https://metadata.google.internal/x', /local/],
    ['https://router.home.arpa/x', /local/],
    ['https://intranet/x', /single-label/],
  ])('refuses %s', (url, reason) => {
    const check = checkOutboundUrl(url, production);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });

  it('allows loopback IP literals, http or https and any port, only with the development flag', () => {
    for (const url of ['http://127.0.0.1:4000/client.json', 'https://127.0.0.1:4000/client.json', 'http://[::1]:4000/c']) {
      expect(checkOutboundUrl(url, development)).toMatchObject({ ok: true });
      expect(checkOutboundUrl(url, production)).toMatchObject({ ok: false });
    }
    // The flag is for loopback literals only: other private addresses and names stay refused.
    for (const url of ['http://localhost:4000/c', 'http://10.0.0.1/c', 'http://app.example.com/c', 'file:///etc/passwd']) {
      expect(checkOutboundUrl(url, development)).toMatchObject({ ok: false });
    }
  });
});
