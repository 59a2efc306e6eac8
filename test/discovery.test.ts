import { describe, expect, it } from 'vitest';
import { ISSUER } from './helpers/fixtures';
import { call } from './helpers/http';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

describe('authorization server metadata (RFC 8414) and OpenID discovery', () => {
  it('lists exactly what is supported, with the issuer from configuration', async () => {
    const response = await call('/.well-known/oauth-authorization-server', { headers: { Host: 'evil.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toEqual({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/oauth/token`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      revocation_endpoint: `${ISSUER}/oauth/revoke`,
      introspection_endpoint: `${ISSUER}/oauth/introspect`,
      pushed_authorization_request_endpoint: `${ISSUER}/par`,
      require_pushed_authorization_requests: false,
      scopes_supported: ['openid', 'profile', 'email', 'offline_access', 'mcp:tools', 'read:items', 'write:items'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'],
      revocation_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      revocation_endpoint_auth_signing_alg_values_supported: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      introspection_endpoint_auth_signing_alg_values_supported: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'RS256'],
      client_id_metadata_document_supported: true,
      ui_locales_supported: ['en', 'de', 'es', 'fr', 'ja', 'ar'],
    });
  });

  it('adds the OpenID Connect fields to openid-configuration', async () => {
    const metadata = (await (await call('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: ISSUER,
      userinfo_endpoint: `${ISSUER}/userinfo`,
      end_session_endpoint: `${ISSUER}/logout`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });
});

describe('JWKS', () => {
  it('publishes the current and next ES256 and RS256 keys by kid, without private members', async () => {
    const response = await call('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'ES256', 'RS256', 'RS256']);
    expect(new Set(keys.map((k) => k.kid)).size).toBe(4);
    for (const key of keys) {
      expect(key.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(key.use).toBe('sig');
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    }
  });

  it('serves the same keys on every call (persisted, not made per request)', async () => {
    const first = await (await call('/.well-known/jwks.json')).json();
    const second = await (await call('/.well-known/jwks.json')).json();
    expect(second).toEqual(first);
  });
});

describe('unknown routes', () => {
  it('answer 404 JSON', async () => {
    const response = await call('/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});
