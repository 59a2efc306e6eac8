import { base64url, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { changeGrant, handleParts } from './helpers/storage';
import { ISSUER } from './helpers/fixtures';
import { call, form } from './helpers/http';
import { obtainCode, redeem } from './helpers/flow';
import { expectOAuthError, expectTokenResponse } from './helpers/assertions';

async function jwks() {
  const response = await call('/.well-known/jwks.json');
  return createLocalJWKSet((await response.json()) as { keys: [] });
}

async function sha256Left(value: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)));
  return base64url.encode(digest.subarray(0, 16));
}

describe('token endpoint: authorization_code grant (RFC 6749 section 4.1.3, RFC 7636 section 4.6)', () => {
  it('exchanges a code and verifier for an RFC 9068 access token', async () => {
    const issued = await obtainCode();
    const response = await redeem(issued);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(response.headers.get('Pragma')).toBe('no-cache');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid read:items' });

    const token = body.access_token as string;
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(typeof header.kid).toBe('string');
    const { payload } = await jwtVerify(token, await jwks(), { issuer: ISSUER, audience: 'https://api.example.com', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'user_demo', client_id: 'demo-app', scope: 'openid read:items' });
    // The jti leads to the grant: `<grant id>.<random>`, the grant id being the code's.
    expect(payload.jti).toMatch(new RegExp(`^${issued.code.split('.')[1]}\\.[A-Za-z0-9_-]{22}$`));
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('adds an OpenID Connect ID token for the openid scope', async () => {
    const response = await redeem(await obtainCode());
    const body = (await response.json()) as { access_token: string; id_token: string };
    const { payload, protectedHeader } = await jwtVerify(body.id_token, await jwks(), { issuer: ISSUER, audience: 'demo-app' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: 'user_demo', azp: 'demo-app', nonce: 'nonce-456' });
    expect(payload.at_hash).toBe(await sha256Left(body.access_token));
    expect(typeof payload.auth_time).toBe('number');
  });

  it('issues no ID token without the openid scope', async () => {
    const body = (await (await redeem(await obtainCode({ scope: 'read:items' }))).json()) as Record<string, unknown>;
    expect(body.id_token).toBeUndefined();
    expect(body.scope).toBe('read:items');
  });

  it('accepts a JSON body as Auth0 does', async () => {
    const issued = await obtainCode();
    const response = await call('/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        client_id: 'demo-app',
        code: issued.code,
        redirect_uri: issued.redirectUri,
        code_verifier: issued.verifier,
      }),
    });
    expect(response.status).toBe(200);
  });

  it('works with a loopback redirect URI and its port', async () => {
    const issued = await obtainCode({ redirect_uri: 'http://127.0.0.1:49152/callback' });
    expect(issued.location.origin).toBe('http://127.0.0.1:49152');
    expect((await redeem(issued)).status).toBe(200);
    const other = await obtainCode({ redirect_uri: 'http://127.0.0.1:49152/callback' });
    await expectOAuthError(await redeem(other, { redirect_uri: 'http://127.0.0.1:49153/callback' }), 400, 'invalid_grant');
  });
});

describe('token endpoint: a code works once', () => {
  it('refuses a replayed code', async () => {
    const issued = await obtainCode();
    expect((await redeem(issued)).status).toBe(200);
    await expectOAuthError(await redeem(issued), 400, 'invalid_grant');
  });

  it('lets exactly one of 50 concurrent redemptions succeed', async () => {
    const issued = await obtainCode();
    const responses = await Promise.all(Array.from({ length: 50 }, () => redeem(issued)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(49);
    for (const response of responses.filter((r) => r.status === 400)) {
      expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
    }
  });

  it('refuses an expired code, and an alarm removes it', async () => {
    const issued = await obtainCode();
    const { userId, grantId } = handleParts(issued.code);
    await changeGrant(userId, grantId, (stored) => ({ ...stored, grant: { ...stored.grant, expiresAt: Date.now() - 1 } }));
    const body = await expectOAuthError(await redeem(issued), 400, 'invalid_grant');
    expect(body.error_description).toMatch(/expired/);
  });

  it('a malformed verifier is refused before the code is spent', async () => {
    const issued = await obtainCode();
    await expectOAuthError(await redeem(issued, { code_verifier: 'too-short' }), 400, 'invalid_request');
    expect((await redeem(issued)).status).toBe(200);
  });
});

describe('token endpoint: the code is bound to client, redirect URI and verifier', () => {
  it('refuses a wrong verifier', async () => {
    const issued = await obtainCode();
    await expectOAuthError(await redeem(issued, { code_verifier: 'x'.repeat(43) }), 400, 'invalid_grant');
  });

  it('refuses a missing verifier from a public client as malformed, before the code is spent (issue 18)', async () => {
    const issued = await obtainCode();
    await expectOAuthError(await redeem(issued, { code_verifier: undefined }), 400, 'invalid_request');
    await expectTokenResponse(await redeem(issued));
  });

  it('says when a mismatch has spent the code', async () => {
    const issued = await obtainCode();
    const body = await expectOAuthError(await redeem(issued, { code_verifier: 'w'.repeat(43) }), 400, 'invalid_grant');
    expect(body.error_description).toMatch(/code is now spent/);
  });

  it('refuses demo-app’s code redeemed by other-app', async () => {
    const issued = await obtainCode();
    const body = await expectOAuthError(await redeem(issued, { client_id: 'other-app' }), 400, 'invalid_grant');
    expect(body.error_description).toMatch(/another client/);
  });

  it('refuses a redirect_uri that differs from the authorization request', async () => {
    const issued = await obtainCode();
    await expectOAuthError(await redeem(issued, { redirect_uri: 'com.example.other:/callback' }), 400, 'invalid_grant');
  });

  it('refuses a missing redirect_uri', async () => {
    await expectOAuthError(await redeem(await obtainCode(), { redirect_uri: undefined }), 400, 'invalid_request');
  });

  it.each([
    ['a made-up code', 'A'.repeat(22) + '.' + 'B'.repeat(43)],
    ['a malformed code', 'not-a-code'],
    ['an empty secret', 'A'.repeat(22) + '.'],
  ])('refuses %s', async (_name, code) => {
    const issued = await obtainCode();
    await expectOAuthError(await redeem({ ...issued, code }), 400, 'invalid_grant');
  });

  it('refuses the right request id with another secret', async () => {
    const issued = await obtainCode();
    const forged = `${issued.code.split('.').slice(0, 2).join('.')}.${'C'.repeat(43)}`;
    await expectOAuthError(await redeem({ ...issued, code: forged }), 400, 'invalid_grant');
    expect((await redeem(issued)).status).toBe(200);
  });
});

describe('token endpoint: client identification (RFC 6749 section 2.3)', () => {
  it('refuses an unknown client with 401 and WWW-Authenticate', async () => {
    const response = await redeem(await obtainCode(), { client_id: 'no-such-app' });
    await expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Basic /);
  });

  it('refuses a missing client_id', async () => {
    await expectOAuthError(await redeem(await obtainCode(), { client_id: undefined }), 401, 'invalid_client');
  });

  it('refuses a secret presented for a public client', async () => {
    await expectOAuthError(await redeem(await obtainCode(), { client_secret: 'guess' }), 401, 'invalid_client');
    const basic = await call('/oauth/token', form({ grant_type: 'authorization_code', code: 'x' }, { headers: { Authorization: `Basic ${btoa('demo-app:guess')}` } }));
    await expectOAuthError(basic, 401, 'invalid_client');
  });

  it('refuses a malformed Authorization header', async () => {
    const response = await call('/oauth/token', form({ grant_type: 'authorization_code' }, { headers: { Authorization: 'Basic !!!' } }));
    await expectOAuthError(response, 401, 'invalid_client');
  });
});

describe('token endpoint: malformed requests get RFC 6749 section 5.2 errors, never a 5xx', () => {
  const post = (headers: Record<string, string>, body: BodyInit) => call('/oauth/token', { method: 'POST', headers, body });

  it.each([
    ['no grant_type', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'client_id=demo-app', 'invalid_request'],
    ['an unknown grant_type', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'grant_type=password&client_id=demo-app', 'unsupported_grant_type'],
    ['a repeated parameter', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'grant_type=authorization_code&code=a&code=b', 'invalid_request'],
    ['an empty body', { 'Content-Type': 'application/x-www-form-urlencoded' }, '', 'invalid_request'],
    ['no content type', {}, 'grant_type=authorization_code', 'invalid_request'],
    ['a text body', { 'Content-Type': 'text/plain' }, 'grant_type=authorization_code', 'invalid_request'],
    ['broken JSON', { 'Content-Type': 'application/json' }, '{"grant_type":', 'invalid_request'],
    ['a JSON array', { 'Content-Type': 'application/json' }, '["authorization_code"]', 'invalid_request'],
    ['a JSON null', { 'Content-Type': 'application/json' }, 'null', 'invalid_request'],
    ['a JSON number value', { 'Content-Type': 'application/json' }, '{"grant_type":"authorization_code","code":1}', 'invalid_request'],
    ['a JSON nested object', { 'Content-Type': 'application/json' }, '{"grant_type":{"a":1}}', 'invalid_request'],
    ['invalid UTF-8', { 'Content-Type': 'application/x-www-form-urlencoded' }, new Uint8Array([0x67, 0x3d, 0xc3, 0x28]), 'invalid_request'],
    ['a __proto__ grant_type', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'grant_type=__proto__', 'unsupported_grant_type'],
    ['a constructor grant_type', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'grant_type=constructor', 'unsupported_grant_type'],
  ])('%s', async (_name, headers, body, error) => {
    await expectOAuthError(await post(headers, body), 400, error);
  });

  it('refuses an oversized body with 413', async () => {
    const response = await post({ 'Content-Type': 'application/x-www-form-urlencoded' }, `grant_type=authorization_code&code=${'a'.repeat(20_000)}`);
    await expectOAuthError(response, 413, 'invalid_request');
  });

  // Issue 18: GET /oauth/token answered 404 "No such endpoint." as if the endpoint did not exist.
  it.each(['/oauth/token', '/oauth/revoke', '/oauth/introspect'])('refuses GET %s with 405 and Allow: POST', async (path) => {
    const response = await call(path);
    const body = await expectOAuthError(response, 405, 'invalid_request');
    expect(response.headers.get('Allow')).toBe('POST');
    expect(body.error_description).toMatch(/POST/);
  });

  it('a request with no body says which bodies it accepts: a form or JSON', async () => {
    const body = await expectOAuthError(await call('/oauth/token', { method: 'POST' }), 400, 'invalid_request');
    expect(body.error_description).toMatch(/x-www-form-urlencoded or application\/json/);
  });
});
