import { env } from 'cloudflare:workers';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ISSUER } from './helpers/fixtures';
import { call } from './helpers/http';
import { obtainCode, redeem } from './helpers/flow';

describe('per-API token settings', () => {
  beforeAll(async () => {
    await env.DB.batch([
      env.DB.prepare(
        `INSERT OR IGNORE INTO apis (id, identifier, name, scopes, access_token_ttl_seconds, signing_alg)
         VALUES ('api_rs', 'https://rs256.example.com', 'RS256 API', '["read:rs"]', 600, 'RS256')`,
      ),
      env.DB.prepare(
        `INSERT OR IGNORE INTO clients (id, name, type, redirect_uris, grant_types, scopes, audiences)
         VALUES ('rs-app', 'RS App', 'public', '["com.example.rs:/cb"]', '["authorization_code"]', '["read:rs"]', '["https://rs256.example.com"]')`,
      ),
    ]);
  });

  it('signs with the API’s algorithm (RS256) and lifetime', async () => {
    const issued = await obtainCode({ client_id: 'rs-app', redirect_uri: 'com.example.rs:/cb', scope: 'read:rs', nonce: undefined });
    const response = await redeem(issued, { client_id: 'rs-app' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; expires_in: number };
    expect(body.expires_in).toBe(600);
    expect(decodeProtectedHeader(body.access_token).alg).toBe('RS256');
    const keys = createLocalJWKSet((await (await call('/.well-known/jwks.json')).json()) as { keys: [] });
    const { payload } = await jwtVerify(body.access_token, keys, { issuer: ISSUER, audience: 'https://rs256.example.com' });
    expect(payload.exp! - payload.iat!).toBe(600);
  });
});
