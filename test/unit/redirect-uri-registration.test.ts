import { describe, expect, it } from 'vitest';
import { checkRedirectUriRegistration } from '../../src/oauth/redirect-uri-registration';

describe('redirect URI registration (RFC 8252 section 7, RFC 9700 section 4.1)', () => {
  it.each([
    'com.example.app:/callback',
    'com.example.app://callback',
    'https://app.example.com/callback',
    'https://app.example.com/callback?tenant=a',
    'http://127.0.0.1/callback',
    'http://127.0.0.1:8080/callback',
    'http://[::1]/callback',
  ])('accepts %s', (uri) => {
    expect(checkRedirectUriRegistration(uri)).toEqual({ ok: true });
  });

  it.each([
    ['http://localhost/callback', /localhost/],
    ['http://localhost:8080/callback', /RFC 8252 section 8\.3/],
    ['http://app.example.com/callback', /loopback/],
    ['http://10.0.0.1/callback', /loopback/],
    ['https://*.example.com/callback', /wildcard/],
    ['https://app.example.com/*', /wildcard/],
    ['com.example.app:/callback#x', /fragment/],
    ['https://app.example.com/callback#', /fragment/],
    ['myapp:/callback', /reverse domain/],
    ['javascript:alert(1)', /reverse domain/],
    ['data:text/html,x', /reverse domain/],
    ['https://user:pw@app.example.com/cb', /user information/],
    ['HTTPS://app.example.com/cb', /lower-case scheme/],
    ['https://APP.example.com/cb', /canonical form: https:\/\/app\.example\.com\/cb/],
    ['https://app.example.com/a/../cb', /canonical/],
    ['https://app.example.com', /canonical form: https:\/\/app\.example\.com\//],
    ['/callback', /absolute/],
    ['', /characters/],
    [' com.example.app:/cb', /white space/],
    ['com.example.app:/c\u0000b', /control/],
    [`https://app.example.com/${'a'.repeat(2100)}`, /characters/],
  ])('refuses %j with a reason', (uri, reason) => {
    const check = checkRedirectUriRegistration(uri);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toMatch(reason);
  });

  it('accepts http://localhost only when asked (dynamic registration, as MCP clients send it), and still in canonical form', () => {
    expect(checkRedirectUriRegistration('http://localhost:35535/oauth/callback', { localhost: true })).toEqual({ ok: true });
    expect(checkRedirectUriRegistration('http://localhost:35535/oauth/callback').ok).toBe(false);
    expect(checkRedirectUriRegistration('http://LOCALHOST:35535/cb', { localhost: true }).ok).toBe(false);
    expect(checkRedirectUriRegistration('http://localhost.evil.example/cb', { localhost: true }).ok).toBe(false);
    expect(checkRedirectUriRegistration('http://localhost:35535/cb#x', { localhost: true }).ok).toBe(false);
  });
});
