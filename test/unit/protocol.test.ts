import { describe, expect, it } from 'vitest';
import { encodeHandle, grantIdOfJti, parseHandle } from '../../src/oauth/grant-handle';
import { singleValuedParams } from '../../src/oauth/params';
import { checkPkce, isCodeVerifier, isS256Challenge, s256 } from '../../src/oauth/pkce';
import { matchRedirectUri, withQuery } from '../../src/oauth/redirect-uri';
import { grantScopes, parseScope } from '../../src/oauth/scope';
import { OAuthError } from '../../src/errors/oauth-error';

describe('PKCE (RFC 7636)', () => {
  it('computes the S256 challenge of Appendix B', async () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(await s256(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(checkPkce('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', await s256(verifier))).toBeUndefined();
    expect(checkPkce('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN', await s256(verifier))).toBe('verifier_mismatch');
    expect(checkPkce('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', undefined)).toBe('verifier_required');
    expect(checkPkce(undefined, await s256(verifier))).toBe('verifier_unexpected');
    expect(checkPkce(undefined, undefined)).toBeUndefined();
  });

  it('accepts verifiers of 43 to 128 unreserved characters only (section 4.1)', () => {
    expect(isCodeVerifier('a'.repeat(43))).toBe(true);
    expect(isCodeVerifier('a'.repeat(128))).toBe(true);
    expect(isCodeVerifier('a'.repeat(42))).toBe(false);
    expect(isCodeVerifier('a'.repeat(129))).toBe(false);
    expect(isCodeVerifier(`${'a'.repeat(42)}~._-`)).toBe(true);
    expect(isCodeVerifier(`${'a'.repeat(42)}+`)).toBe(false);
    expect(isCodeVerifier(`${'a'.repeat(42)}é`)).toBe(false);
  });

  it('accepts only 43-character base64url challenges', () => {
    expect(isS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')).toBe(true);
    expect(isS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM')).toBe(false);
    expect(isS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c')).toBe(false);
  });
});

describe('redirect URI matching (RFC 9700 section 2.1, RFC 8252 section 7.3)', () => {
  const registered = ['com.example.demo:/callback', 'http://127.0.0.1/callback', 'http://[::1]/cb'];

  it('matches exactly, except for the port of a loopback URI', () => {
    expect(matchRedirectUri('com.example.demo:/callback', registered)).toBe(true);
    expect(matchRedirectUri('http://127.0.0.1/callback', registered)).toBe(true);
    expect(matchRedirectUri('http://127.0.0.1:1/callback', registered)).toBe(true);
    expect(matchRedirectUri('http://127.0.0.1:65535/callback', registered)).toBe(true);
    expect(matchRedirectUri('http://[::1]:8080/cb', registered)).toBe(true);
  });

  it('does not match anything else', () => {
    for (const uri of [
      'http://127.0.0.1:65536/callback',
      'http://127.0.0.1:/callback',
      'http://127.0.0.1:8080/callback/',
      'http://127.0.0.1:8080',
      'http://[::1]:8080/cb/x',
      'http://[0:0:0:0:0:0:0:1]/cb',
      'http://localhost/callback',
    ]) {
      expect(matchRedirectUri(uri, registered), uri).toBe(false);
    }
  });

  it('adds response parameters to an existing query, not a fragment', () => {
    expect(withQuery('https://app.example/cb?x=1', { code: 'a b', state: undefined })).toBe('https://app.example/cb?x=1&code=a+b');
    expect(withQuery('com.example.demo:/callback', { code: 'c', iss: 'https://i.example' })).toBe(
      'com.example.demo:/callback?code=c&iss=https%3A%2F%2Fi.example',
    );
  });
});

describe('parameters and scopes (RFC 6749 sections 3.1 and 3.3)', () => {
  it('refuses repeated parameters and does not echo odd names', () => {
    expect(() => singleValuedParams([['a', '1'], ['a', '2']])).toThrow(OAuthError);
    try {
      singleValuedParams([['<b>', '1'], ['<b>', '2']]);
    } catch (error) {
      expect((error as OAuthError).description).not.toContain('<b>');
    }
  });

  it('splits scopes on spaces, drops duplicates and refuses illegal characters', () => {
    expect(parseScope('a  b a')).toEqual(['a', 'b']);
    expect(parseScope(undefined)).toEqual([]);
    expect(() => parseScope('a\\b')).toThrow(OAuthError);
    expect(() => parseScope('a\tb')).toThrow(OAuthError);
  });

  it('grants only scopes both offered by the API and allowed to the client', () => {
    expect(grantScopes(['openid', 'read'], ['read', 'write'], ['openid', 'read'])).toEqual(['openid', 'read']);
    expect(() => grantScopes(['write'], ['read', 'write'], ['read'])).toThrow(OAuthError);
    expect(() => grantScopes(['admin'], ['read'], ['admin'])).toThrow(OAuthError);
  });
});

describe('handles: codes, refresh tokens and session cookies', () => {
  it('carry the user whose object holds them and their id there, and reject anything else', () => {
    const id = 'A'.repeat(22);
    const secret = 'b'.repeat(43);
    expect(parseHandle(encodeHandle({ userId: 'user_demo', id }, secret))).toEqual({ userId: 'user_demo', id });
    expect(parseHandle(`user_demo.${id}.${secret}.x`)).toBeUndefined();
    expect(parseHandle(`user_demo.${id}.${'b'.repeat(42)}`)).toBeUndefined();
    expect(parseHandle(`user_demo.${'A'.repeat(21)}.${secret}`)).toBeUndefined();
    expect(parseHandle(`${id}.${secret}`)).toBeUndefined();
    // Nothing that can name another object: user ids are letters, digits, `_` and `-` only.
    expect(parseHandle(`unknown-emails:ab.${id}.${secret}`)).toBeUndefined();
    expect(parseHandle(`${'u'.repeat(65)}.${id}.${secret}`)).toBeUndefined();
  });

  it('are never mistaken for a JWT, which also has three parts', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ1c2VyX2RlbW8iLCJzY29wZSI6InJlYWQ6aXRlbXMifQ.' + 'c'.repeat(86);
    expect(parseHandle(jwt)).toBeUndefined();
  });

  it('access token ids lead to their grant', () => {
    const id = 'A'.repeat(22);
    expect(grantIdOfJti(`${id}.xyz`)).toBe(id);
    expect(grantIdOfJti('no-grant')).toBeUndefined();
    expect(grantIdOfJti(`${id}.a.b`)).toBeUndefined();
  });
});

describe('withQuery regressions', () => {
  it('returns the URI exactly as registered when there is nothing to add (regression: a dangling "?")', () => {
    expect(withQuery('com.example.demo:/signed-out', { state: undefined })).toBe('com.example.demo:/signed-out');
  });
});
