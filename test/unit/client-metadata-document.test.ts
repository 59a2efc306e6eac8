import { describe, expect, it } from 'vitest';
import { checkClientIdUrl, metadataCacheSeconds, parseClientMetadata } from '../../src/oauth/client-metadata-document';

const ID = 'https://agent.example.com/oauth/client.json';
const valid = { client_id: ID, client_name: 'Agent', redirect_uris: ['http://127.0.0.1/cb'] };

describe('client_id URLs (draft-ietf-oauth-client-id-metadata-document section 3)', () => {
  it('accepts an https URL with a path', () => {
    expect(checkClientIdUrl(ID, false)).toMatchObject({ ok: true });
    expect(checkClientIdUrl('https://agent.example.com/c?v=1', false)).toMatchObject({ ok: true });
  });

  it.each([
    ['https://agent.example.com/', /path/],
    ['https://agent.example.com', /canonical/],
    ['https://agent.example.com/a#x', /fragment/],
    ['https://agent.example.com/a/../c.json', /canonical/],
    ['https://agent.example.com/a/./c.json', /canonical/],
    ['https://agent.example.com/a/%2e%2e/c.json', /canonical/],
    ['https://Agent.example.com/c.json', /canonical/],
    ['https://u:p@agent.example.com/c.json', /credentials/],
    ['http://agent.example.com/c.json', /https/],
    ['https://169.254.169.254/c.json', /IPv4/],
  ])('refuses %s', (url, reason) => {
    const check = checkClientIdUrl(url, false);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });
});

describe('metadata documents', () => {
  it('reads a minimal public client, with code and refresh grants by default', () => {
    expect(parseClientMetadata(ID, valid)).toEqual({
      ok: true,
      value: { clientId: ID, name: 'Agent', redirectUris: ['http://127.0.0.1/cb'], grantTypes: ['authorization_code', 'refresh_token'], scopes: undefined, keys: undefined },
    });
    expect(parseClientMetadata(ID, { ...valid, scope: 'openid read:items', grant_types: ['authorization_code'] })).toMatchObject({
      ok: true,
      value: { scopes: ['openid', 'read:items'], grantTypes: ['authorization_code'] },
    });
  });

  it('reads a private_key_jwt client with its public keys, inline or at a URL', () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
    expect(parseClientMetadata(ID, { ...valid, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } })).toMatchObject({
      ok: true,
      value: { keys: { jwks: { keys: [jwk] } } },
    });
    expect(parseClientMetadata(ID, { ...valid, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://agent.example.com/jwks.json' })).toMatchObject({
      ok: true,
      value: { keys: { jwksUri: 'https://agent.example.com/jwks.json' } },
    });
  });

  it.each([
    ['not an object', [], /object/],
    ['another client_id', { ...valid, client_id: `${ID}/` }, /client_id/],
    ['no name', { ...valid, client_name: undefined }, /client_name/],
    ['a blank name', { ...valid, client_name: '  ' }, /client_name/],
    ['a name with control characters', { ...valid, client_name: 'A\u0007' }, /client_name/],
    ['no redirect URIs', { ...valid, redirect_uris: [] }, /redirect_uris/],
    ['a localhost redirect', { ...valid, redirect_uris: ['http://localhost/cb'] }, /localhost/],
    ['a secret', { ...valid, client_secret: 'x' }, /client_secret/],
    ['a confidential method', { ...valid, token_endpoint_auth_method: 'client_secret_post' }, /token_endpoint_auth_method/],
    ['private_key_jwt without keys', { ...valid, token_endpoint_auth_method: 'private_key_jwt' }, /exactly one/],
    ['private_key_jwt with a private key', { ...valid, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', d: 'x' }] } }, /public/],
    ['private_key_jwt with a private jwks_uri', { ...valid, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://10.0.0.1/jwks' }, /jwks_uri/],
    ['a token response type', { ...valid, response_types: ['token'] }, /response_types/],
    ['implicit grant', { ...valid, grant_types: ['implicit'] }, /grant_types/],
    ['a malformed scope', { ...valid, scope: 'a"b' }, /scope/],
  ])('refuses a document with %s', (_name, document, reason) => {
    const check = parseClientMetadata(ID, document);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });

  it('keeps a document between one minute and one day, five minutes without max-age', () => {
    expect([0, 30, 600, 10 ** 9, undefined].map(metadataCacheSeconds)).toEqual([60, 60, 600, 86_400, 300]);
  });
});
