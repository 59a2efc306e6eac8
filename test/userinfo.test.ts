import { env } from 'cloudflare:workers';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { call, form, type Method, METHODS } from './helpers/http';
import { flipAt } from './helpers/values';
import { redeem, signInForTokens } from './helpers/flow';
import { expectBearerError } from './helpers/assertions';

function userinfo(method: Method, authorization?: string): Promise<Response> {
  const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
  return call('/userinfo', { method, headers });
}

describe.each(METHODS)('%s /userinfo (OIDC Core section 5.3)', (method) => {
  it('returns the claims of openid, profile and email', async () => {
    const { access_token } = await signInForTokens({ scope: 'openid profile email' });
    const response = await userinfo(method, `Bearer ${access_token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ sub: 'user_demo', name: 'Demo User', email: 'demo@example.com', email_verified: true });
    expect(typeof body.updated_at).toBe('number');
    expect(Number.isInteger(body.updated_at)).toBe(true);
    // Seconds, not milliseconds: no later than now.
    expect(body.updated_at as number).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(Object.keys(body).sort()).toEqual(['email', 'email_verified', 'name', 'sub', 'updated_at']);
  });

  it('returns only sub for the openid scope alone', async () => {
    const { access_token } = await signInForTokens({ scope: 'openid' });
    const response = await userinfo(method, `Bearer ${access_token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'user_demo' });
  });

  it('maps email and profile independently', async () => {
    const email = await signInForTokens({ scope: 'openid email' });
    expect(await (await userinfo(method, `Bearer ${email.access_token}`)).json()).toEqual({
      sub: 'user_demo',
      email: 'demo@example.com',
      email_verified: true,
    });
    const profile = (await (await userinfo(method, `Bearer ${(await signInForTokens({ scope: 'openid profile' })).access_token}`)).json()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(profile).sort()).toEqual(['name', 'sub', 'updated_at']);
  });

  it('refuses a token without openid with 403 insufficient_scope', async () => {
    const { access_token } = await signInForTokens({ scope: 'read:items' });
    await expectBearerError(await userinfo(method, `Bearer ${access_token}`), 403, 'insufficient_scope');
  });

  it('answers a request without credentials with 401 and a bare challenge (RFC 6750 section 3.1)', async () => {
    const response = await userinfo(method);
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="edge-auth", DPoP algs="ES256 EdDSA RS256"');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });

  it.each([
    ['another scheme', 'Basic ZGVtby1hcHA6eA=='],
    ['a scheme without a token', 'Bearer'],
    ['two tokens', 'Bearer abc def'],
    ['a token with forbidden characters', 'Bearer abc,def'],
    ['a token alone', 'eyJhbGciOiJFUzI1NiJ9.e30.sig'],
  ])('refuses a malformed Authorization header (%s) with 400 invalid_request', async (_name, header) => {
    await expectBearerError(await userinfo(method, header), 400, 'invalid_request');
  });

  it.each([
    ['garbage', () => 'garbage'],
    ['a made-up JWT', () => 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyX2RlbW8ifQ.c2ln'],
    ['a changed signature', (token: string) => flipAt(token, token.lastIndexOf('.') + 20)],
    ['a changed payload', (token: string) => flipAt(token, token.indexOf('.') + 20)],
  ])('refuses %s with 401 invalid_token', async (_name, tamper) => {
    const { access_token } = await signInForTokens({ scope: 'openid profile' });
    await expectBearerError(await userinfo(method, `Bearer ${tamper(access_token)}`), 401, 'invalid_token');
  });

  it('refuses a well-formed token signed by someone else', async () => {
    const { access_token } = await signInForTokens({ scope: 'openid' });
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ ...decodeJwt(access_token) })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'forged' })
      .sign(privateKey);
    await expectBearerError(await userinfo(method, `Bearer ${forged}`), 401, 'invalid_token');
  });

  it('refuses an ID token presented as an access token (RFC 9068 section 4: typ at+jwt)', async () => {
    const { access_token, id_token } = await signInForTokens({ scope: 'openid profile email' });
    expect((await userinfo(method, `Bearer ${access_token}`)).status).toBe(200);
    await expectBearerError(await userinfo(method, `Bearer ${id_token!}`), 401, 'invalid_token');
  });

  it('refuses a token with every access-token claim, signed with our key, but without typ at+jwt', async () => {
    const { access_token } = await signInForTokens({ scope: 'openid' });
    const { getSigningKey } = await import('../src/tokens/key-cache');
    const key = await getSigningKey(env, 'ES256');
    const retyped = await new SignJWT({ ...decodeJwt(access_token) }).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' }).sign(key.key);
    await expectBearerError(await userinfo(method, `Bearer ${retyped}`), 401, 'invalid_token');
    // The same claims with typ at+jwt are accepted: only the header made the difference.
    const same = await new SignJWT({ ...decodeJwt(access_token) }).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' }).sign(key.key);
    expect((await userinfo(method, `Bearer ${same}`)).status).toBe(200);
  });

  it('refuses a token whose grant was revoked through its refresh token (RFC 7009)', async () => {
    const { access_token, refresh_token } = await signInForTokens({ scope: 'openid offline_access' });
    expect(refresh_token).toBeDefined();
    expect((await userinfo(method, `Bearer ${access_token}`)).status).toBe(200);
    const revoked = await call('/oauth/revoke', form({ token: refresh_token!, client_id: 'demo-app' }));
    expect(revoked.status).toBe(200);
    await expectBearerError(await userinfo(method, `Bearer ${access_token}`), 401, 'invalid_token');
  });

  it('refuses a token that was itself revoked', async () => {
    const { access_token } = await signInForTokens({ scope: 'openid' });
    expect((await call('/oauth/revoke', form({ token: access_token, client_id: 'demo-app' }))).status).toBe(200);
    await expectBearerError(await userinfo(method, `Bearer ${access_token}`), 401, 'invalid_token');
  });

  it('refuses a token whose code was replayed (RFC 6749 section 4.1.2)', async () => {
    const { access_token, issued } = await signInForTokens({ scope: 'openid' });
    expect((await userinfo(method, `Bearer ${access_token}`)).status).toBe(200);
    expect((await redeem(issued)).status).toBe(400);
    await expectBearerError(await userinfo(method, `Bearer ${access_token}`), 401, 'invalid_token');
  });
});

// ---------------------------------------------------------------------------------------------
// RP-Initiated Logout 1.0
// ---------------------------------------------------------------------------------------------

/** Sends logout parameters the way the method carries them: query for GET, form body for POST. */
