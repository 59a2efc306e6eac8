/**
 * The pure rules behind issue 12, findings 7 and 8: which Management API scopes a caller may pass
 * on, who may introspect which token, and where a page's forms may lead (CSP form-action).
 */
import { describe, expect, it } from 'vitest';
import { mayIntrospect } from '../../src/oauth/introspection';
import { scopesBeyond } from '../../src/oauth/management-api';
import { formAction } from '../../src/views/page-response';

describe('scopesBeyond (finding 7)', () => {
  it('names exactly the scopes passed on that the caller does not hold, in their order', () => {
    expect(scopesBeyond(['read:users', 'grant:management_api'], ['read:users'])).toEqual([]);
    expect(scopesBeyond(['read:users'], ['rotate:keys', 'read:users', 'read:audit'])).toEqual(['rotate:keys', 'read:audit']);
  });
});

describe('mayIntrospect (finding 8d)', () => {
  const api = 'https://api.example.com';
  const resourceServer = { id: 'rs', audiences: [api] };
  const holder = { id: 'app', audiences: [] };
  const stranger = { id: 'other', audiences: ['https://other.example.com'] };

  it.each([
    ['access_token', resourceServer, true],
    ['access_token', holder, true],
    ['access_token', stranger, false],
    ['refresh_token', resourceServer, false],
    ['refresh_token', holder, true],
    ['refresh_token', stranger, false],
  ] as const)('%s, asked by %o: %s', (type, caller, allowed) => {
    expect(mayIntrospect(caller, { type, audience: api, clientId: 'app' })).toBe(allowed);
  });
});

describe('formAction (finding 8b)', () => {
  it.each([
    [[], "form-action 'self'"],
    [undefined, "form-action 'self'"],
    [['com.example.demo:/callback'], "form-action 'self' com.example.demo:"],
    [['http://127.0.0.1:51004/callback?x=1'], "form-action 'self' http://127.0.0.1:51004"],
    [['https://app.example.com/cb;x,y'], "form-action 'self' https://app.example.com"],
    // CSP has no syntax for an IPv6 literal host: the scheme is the narrowest source that works.
    [['http://[::1]:8080/cb'], "form-action 'self' http:"],
    [['com.example.demo:/a', 'com.example.demo:/b', 'not a uri'], "form-action 'self' com.example.demo:"],
  ])('%o → %s', (targets, expected) => {
    expect(formAction(targets)).toBe(expected);
  });
});
