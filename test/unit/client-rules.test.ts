import { describe, expect, it } from 'vitest';
import { clientProblems, RULE_FIELDS, type ClientSettings, type RuleField } from '../../src/management/client-rules';

const APIS = new Map([
  ['https://api.example.com', ['read:items', 'write:items']],
  ['https://stock.example.com', ['read:stock']],
]);
const APP: ClientSettings = {
  type: 'public',
  grantTypes: ['authorization_code', 'refresh_token'],
  redirectUris: ['com.example.app:/callback'],
  scopes: ['openid', 'read:items'],
  audiences: ['https://api.example.com'],
};
const paths = (client: ClientSettings, changed: readonly RuleField[] = RULE_FIELDS) => clientProblems(client, new Set(changed), APIS).map((p) => p.path);

describe('client authentication methods (RFC 7591 section 2, RFC 7523)', () => {
  const MACHINE: ClientSettings = { type: 'confidential', grantTypes: ['client_credentials'], redirectUris: [], scopes: [], audiences: [] };
  it('accepts private_key_jwt on a confidential client with one source of keys, and the secret methods', () => {
    expect(paths({ ...MACHINE, tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://keys.example.com/jwks.json' })).toEqual([]);
    expect(paths({ ...MACHINE, tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'EC' }] } })).toEqual([]);
    expect(paths({ ...MACHINE, tokenEndpointAuthMethod: 'client_secret_post' })).toEqual([]);
    expect(paths({ ...APP, tokenEndpointAuthMethod: 'none' })).toEqual([]);
  });

  it.each<[string, Partial<ClientSettings>, string[]]>([
    ['private_key_jwt without keys', { tokenEndpointAuthMethod: 'private_key_jwt' }, ['jwks']],
    ['private_key_jwt with both', { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://k.example.com/j', jwks: { keys: [] } }, ['jwks']],
    ['private_key_jwt on a public client', { type: 'public', grantTypes: [], tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://k.example.com/j' }, ['token_endpoint_auth_method']],
    ['keys with a secret method', { tokenEndpointAuthMethod: 'client_secret_basic', jwksUri: 'https://k.example.com/j' }, ['jwks']],
    ['none on a confidential client', { tokenEndpointAuthMethod: 'none' }, ['token_endpoint_auth_method']],
    ['a secret method on a public client', { type: 'public', grantTypes: [], tokenEndpointAuthMethod: 'client_secret_post' }, ['token_endpoint_auth_method']],
  ])('refuses %s', (_name, change, expected) => {
    expect(paths({ ...MACHINE, ...change })).toEqual(expected);
  });
});

describe('client rules (issue 18): what could not work is refused', () => {
  it('accepts a working app and a machine client with nothing but client_credentials', () => {
    expect(paths(APP)).toEqual([]);
    expect(paths({ type: 'confidential', grantTypes: ['client_credentials'], redirectUris: [], scopes: [], audiences: [] })).toEqual([]);
    expect(paths({ ...APP, scopes: ['openid', 'profile', 'email', 'offline_access'] })).toEqual([]);
  });

  it.each<[string, Partial<ClientSettings>, string[]]>([
    ['no redirect URI', { redirectUris: [] }, ['redirect_uris']],
    ['no audience, and so no API for read:items', { audiences: [] }, ['audiences', 'scopes.1']],
    ['no scope', { scopes: [] }, ['scopes']],
    ['refresh_token alone', { grantTypes: ['refresh_token'] }, ['grant_types']],
    ['client_credentials on a public client', { grantTypes: ['authorization_code', 'client_credentials'] }, ['grant_types']],
    ['an audience no API has', { audiences: ['https://api.example.com', 'https://nope.example.com'] }, ['audiences.1']],
    ['a scope of an API not among its audiences', { scopes: ['openid', 'read:stock'] }, ['scopes.1']],
  ])('refuses %s', (_name, change, expected) => {
    expect(paths({ ...APP, ...change })).toEqual(expected);
  });

  it('runs only the rules that read a field being changed', () => {
    const broken = { ...APP, redirectUris: [], scopes: ['openid', 'read:gone'] };
    expect(paths(broken, [])).toEqual([]);
    expect(paths(broken, ['grant_types'])).toEqual(['redirect_uris']);
    expect(paths(broken, ['audiences'])).toEqual(['scopes.1']);
    expect(paths(broken, ['scopes'])).toEqual(['scopes.1']);
  });

  it('names the unknown scope and the APIs it checked', () => {
    const [problem] = clientProblems({ ...APP, scopes: ['read:itemz'], audiences: ['https://api.example.com', 'https://stock.example.com'] }, new Set(RULE_FIELDS), APIS);
    expect(problem?.message).toMatch(/^read:itemz is defined by none of the client's APIs \(https:\/\/api\.example\.com, https:\/\/stock\.example\.com\)/);
  });
});
