import { env } from 'cloudflare:workers';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Base64url } from '../src/crypto/hash';
import { ISSUER } from './helpers/fixtures';
import { basic, call } from './helpers/http';
import { unique } from './helpers/values';
import { introspect } from './helpers/flow';
import { expectOAuthError, expectTokenResponse } from './helpers/assertions';
import { ADMIN_BASIC, clientCredentials, createMachineClient, management, MANAGEMENT_AUDIENCE, MANAGEMENT_SCOPES, ok } from './helpers/management';

async function jwks() {
  return createLocalJWKSet((await (await call('/.well-known/jwks.json')).json()) as { keys: [] });
}

describe('client credentials grant (RFC 6749 section 4.4): issuing', () => {
  it('gives dev-admin a token for its only audience, with every granted scope, when it names neither', async () => {
    const body = await expectTokenResponse(await clientCredentials());
    expect(body.token_type).toBe('Bearer');
    // The Management API's own lifetime (900 s, migration 0003) applies.
    expect(body.expires_in).toBe(900);
    expect(body.scope).toBe(MANAGEMENT_SCOPES.join(' '));
    // No user, so nothing to refresh and no one to identify.
    expect(body.refresh_token).toBeUndefined();
    expect(body.id_token).toBeUndefined();
  });

  it('accepts an explicit audience, client_secret_post and a JSON body (as Auth0 does)', async () => {
    const explicit = await expectTokenResponse(await clientCredentials({ audience: MANAGEMENT_AUDIENCE }));
    expect(explicit.scope).toBe(MANAGEMENT_SCOPES.join(' '));
    const posted = await clientCredentials({ client_id: 'dev-admin', client_secret: 'dev-admin-secret' }, null);
    expect((await expectTokenResponse(posted)).scope).toBe(MANAGEMENT_SCOPES.join(' '));
    const json = await call('/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'dev-admin', client_secret: 'dev-admin-secret', audience: MANAGEMENT_AUDIENCE }),
    });
    expect((await expectTokenResponse(json)).scope).toBe(MANAGEMENT_SCOPES.join(' '));
  });

  it('narrows to the scopes asked for, in the order asked, once each', async () => {
    const body = await expectTokenResponse(await clientCredentials({ scope: 'read:users read:clients read:users' }));
    expect(body.scope).toBe('read:users read:clients');
  });

  it('signs an RFC 9068 token: sub and client_id are the client, no auth_time, verified against the JWKS', async () => {
    const before = Math.floor(Date.now() / 1000);
    const body = await expectTokenResponse(await clientCredentials({ scope: 'read:clients read:keys' }));
    const { payload, protectedHeader } = await jwtVerify(body.access_token, await jwks(), {
      issuer: ISSUER,
      audience: MANAGEMENT_AUDIENCE,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({ sub: 'dev-admin', client_id: 'dev-admin', aud: MANAGEMENT_AUDIENCE, scope: 'read:clients read:keys' });
    expect(payload.auth_time).toBeUndefined();
    // No grant behind it: a plain random jti, not `<grant id>.<random>`.
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.exp! - payload.iat!).toBe(900);
    const again = await expectTokenResponse(await clientCredentials({ scope: 'read:clients' }));
    expect((await jwtVerify(again.access_token, await jwks())).payload.jti).not.toBe(payload.jti);
  });

  it("signs with the API's algorithm (RS256) and lifetime", async () => {
    const identifier = `https://rs-${unique()}.example.com`;
    await ok(await management('POST', '/apis', { identifier, name: 'RS API', scopes: ['do:things'], signing_alg: 'RS256', access_token_ttl_seconds: 120 }), 201);
    const machine = await createMachineClient(identifier, ['do:things']);
    const body = await expectTokenResponse(await clientCredentials({}, machine.basic));
    expect(body.expires_in).toBe(120);
    expect(decodeProtectedHeader(body.access_token).alg).toBe('RS256');
    const { payload } = await jwtVerify(body.access_token, await jwks(), { issuer: ISSUER, audience: identifier, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: machine.id, client_id: machine.id, scope: 'do:things' });
  });
});

describe('client credentials grant: refusals', () => {
  beforeAll(async () => {
    // Management validation refuses this shape (a public client with client_credentials), so it is
    // written straight to D1: the grant handler must refuse it on its own (RFC 6749 section 4.4).
    await env.DB.prepare(
      `INSERT OR IGNORE INTO clients (id, name, type, secret_hash, redirect_uris, grant_types, scopes, audiences)
       VALUES ('cc-public', 'Public with CC', 'public', NULL, '[]', '["client_credentials"]', '[]', '["${MANAGEMENT_AUDIENCE}"]')`,
    ).run();
    await env.DB.prepare(
      `INSERT OR IGNORE INTO client_grants (id, client_id, audience, scopes) VALUES ('cg_cc_public', 'cc-public', ?, '["read:clients"]')`,
    )
      .bind(MANAGEMENT_AUDIENCE)
      .run();
  });

  it.each([
    ['a scope the API does not define', 'write:everything'],
    ['a scope of another API', 'read:items'],
    ['one ungranted scope among granted ones', 'read:clients openid'],
  ])('refuses %s with invalid_scope', async (_name, scope) => {
    const body = await expectOAuthError(await clientCredentials({ scope }), 400, 'invalid_scope');
    expect(body.error_description).not.toMatch(/secret/i);
  });

  it('refuses a malformed scope with invalid_scope', async () => {
    await expectOAuthError(await clientCredentials({ scope: 'read:clients "quoted"' }), 400, 'invalid_scope');
  });

  it.each([
    ['an API it has no grant for', 'https://api.example.com'],
    ['an audience no API has', 'https://nowhere.example.com'],
  ])('refuses %s with unauthorized_client', async (_name, audience) => {
    await expectOAuthError(await clientCredentials({ audience }), 400, 'unauthorized_client');
  });

  it('refuses a public client, whether or not it lists the grant type', async () => {
    await expectOAuthError(await clientCredentials({ client_id: 'demo-app' }, null), 400, 'unauthorized_client');
    await expectOAuthError(await clientCredentials({ client_id: 'cc-public' }, null), 400, 'unauthorized_client');
  });

  it('refuses a confidential client not allowed the grant type (demo-api)', async () => {
    await expectOAuthError(await clientCredentials({}, basic('demo-api', 'demo-api-secret')), 400, 'unauthorized_client');
    await expectOAuthError(await clientCredentials({ audience: 'https://api.example.com' }, basic('demo-api', 'demo-api-secret')), 400, 'unauthorized_client');
  });

  it.each([
    ['a wrong Basic secret', {}, basic('dev-admin', 'wrong-secret')],
    ['a wrong posted secret', { client_id: 'dev-admin', client_secret: 'wrong-secret' }, null],
    ['no secret at all', { client_id: 'dev-admin' }, null],
    ['an unknown client', {}, basic('ghost-admin', 'dev-admin-secret')],
    ['no client at all', {}, null],
  ])('refuses %s with 401 invalid_client and WWW-Authenticate', async (_name, fields, authorization) => {
    const response = await clientCredentials(fields, authorization);
    await expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers.get('WWW-Authenticate')).toBe('Basic realm="edge-auth", charset="UTF-8"');
  });

  it('asks for the audience when a client has grants for more than one API', async () => {
    const identifier = `https://second-${unique()}.example.com`;
    await ok(await management('POST', '/apis', { identifier, name: 'Second API', scopes: ['x:y'] }), 201);
    const machine = await createMachineClient();
    await ok(await management('POST', '/client-grants', { client_id: machine.id, audience: identifier, scopes: ['x:y'] }), 201);
    const body = await expectOAuthError(await clientCredentials({}, machine.basic), 400, 'invalid_request');
    expect(body.error_description).toMatch(/audience/);
    expect((await expectTokenResponse(await clientCredentials({ audience: identifier }, machine.basic))).scope).toBe('x:y');
    expect((await expectTokenResponse(await clientCredentials({ audience: 'https://api.example.com' }, machine.basic))).scope).toBe('read:items');
  });

  it('stores the dev-admin secret only as its SHA-256', async () => {
    const row = await env.DB.prepare(`SELECT secret_hash FROM clients WHERE id = 'dev-admin'`).first<{ secret_hash: string }>();
    expect(row!.secret_hash).toBe(await sha256Base64url('dev-admin-secret'));
  });
});

describe('client credentials tokens at the other endpoints', () => {
  it('are active at introspection for a resource server whose audiences include them (RFC 7662)', async () => {
    const machine = await createMachineClient('https://api.example.com', ['read:items']);
    const { access_token } = await expectTokenResponse(await clientCredentials({}, machine.basic));
    const answer = await ok<Record<string, unknown>>(await introspect(access_token));
    expect(answer).toMatchObject({
      active: true,
      token_type: 'Bearer',
      sub: machine.id,
      client_id: machine.id,
      aud: 'https://api.example.com',
      scope: 'read:items',
      iss: ISSUER,
    });
    expect(answer.jti).toEqual(expect.any(String));
  });

  it('are inactive for a resource server of another audience, active for the client that holds them', async () => {
    const { access_token } = await expectTokenResponse(await clientCredentials({ scope: 'read:clients' }));
    // demo-api's audiences are https://api.example.com only.
    expect(await ok(await introspect(access_token))).toEqual({ active: false });
    expect(await ok(await introspect(access_token, ADMIN_BASIC))).toMatchObject({ active: true, sub: 'dev-admin', aud: MANAGEMENT_AUDIENCE });
  });

  it('are no user token: /userinfo refuses them', async () => {
    const { access_token } = await expectTokenResponse(await clientCredentials({ scope: 'read:clients' }));
    const response = await call('/userinfo', { headers: { Authorization: `Bearer ${access_token}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get('WWW-Authenticate')).toContain('error="insufficient_scope"');
  });

  it.each(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'])(
    '%s lists client_credentials and hides the Management API scopes',
    async (path) => {
      const metadata = await ok<{ grant_types_supported: string[]; scopes_supported: string[] }>(await call(path));
      expect(metadata.grant_types_supported).toContain('client_credentials');
      for (const scope of MANAGEMENT_SCOPES) expect(metadata.scopes_supported).not.toContain(scope);
    },
  );
});
