import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { call, expectOAuthError, ISSUER, obtainCode, redeem } from './helpers';

async function jwks() {
  const response = await call('/.well-known/jwks.json');
  return createLocalJWKSet((await response.json()) as { keys: [] });
}

describe('token endpoint: authorization_code grant (RFC 6749 section 4.1.3)', () => {
  it('exchanges a code and verifier for an RFC 9068 access token', async () => {
    const issued = await obtainCode();
    const response = await redeem(issued);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid read:items' });

    const token = body.access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    const { payload } = await jwtVerify(token, await jwks(), {
      issuer: ISSUER,
      audience: 'https://api.example.com',
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ sub: 'user_demo', client_id: 'demo-app', scope: 'openid read:items' });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(3600);
  });
});
