import { describe, expect, it } from 'vitest';
import { isPushedRequestUri, newRequestUri, pushedRequest, usablePushedRequest } from '../../src/oauth/pushed-request';

describe('pushed requests (RFC 9126)', () => {
  it('names each request with 256 random bits after the URN prefix', () => {
    const uri = newRequestUri();
    expect(uri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
    expect(isPushedRequestUri(uri)).toBe(true);
    expect(newRequestUri()).not.toBe(uri);
  });

  it.each([
    'urn:ietf:params:oauth:request_uri:abc',
    `urn:ietf:params:oauth:request_uri:${'A'.repeat(44)}`,
    `urn:ietf:params:oauth:request_uri:${'A'.repeat(42)}=`,
    `https://app.example/${'A'.repeat(43)}`,
  ])('knows %s is not one of ours', (value) => {
    expect(isPushedRequestUri(value)).toBe(false);
  });

  it('keeps the request’s parameters with the authenticated client_id, never the credentials', () => {
    const params = new Map([
      ['client_id', 'spoofed'],
      ['client_secret', 's3cret'],
      ['client_assertion', 'jwt'],
      ['client_assertion_type', 'urn:x'],
      ['redirect_uri', 'com.example:/cb'],
      ['state', 'st'],
    ]);
    expect(pushedRequest('app', params, 1000)).toEqual({ clientId: 'app', params: { client_id: 'app', redirect_uri: 'com.example:/cb', state: 'st' }, expiresAt: 1000 });
  });

  it('is usable until, and not at, its expiry', () => {
    const stored = pushedRequest('app', new Map(), 60_000);
    expect(usablePushedRequest(stored, 59_999)).toBe(stored);
    expect(usablePushedRequest(stored, 60_000)).toBeUndefined();
    expect(usablePushedRequest(undefined, 0)).toBeUndefined();
  });
});
