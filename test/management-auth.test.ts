import { env } from 'cloudflare:workers';
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { clearRegistryCache } from '../src/db/registry';
import { ISSUER } from './helpers/fixtures';
import { freshIp } from './helpers/values';
import { signInForTokens } from './helpers/flow';
import { expectBearerError, expectTokenResponse } from './helpers/assertions';
import { ADMIN_BASIC, clientCredentials, createMachineClient, createUser, management, MANAGEMENT_AUDIENCE, MANAGEMENT_SCOPES, type ManagementScope, managementToken, scopesWithout } from './helpers/management';

/**
 * Every route of the Management API (src/management/index.ts and its route files) with the scope it
 * needs. Ids name nothing, and bodies are invalid, so a route that wrongly let a caller through
 * answers 400 or 404 without changing anything.
 */
const ROUTES: [method: string, path: string, scope: ManagementScope, body?: unknown][] = [
  ['GET', '/clients', 'read:clients'],
  ['POST', '/clients', 'create:clients', {}],
  ['GET', '/clients/no-such-id', 'read:clients'],
  ['PATCH', '/clients/no-such-id', 'update:clients', {}],
  ['DELETE', '/clients/no-such-id', 'delete:clients'],
  ['POST', '/clients/no-such-id/rotate-secret', 'update:clients'],
  ['GET', '/apis', 'read:apis'],
  ['POST', '/apis', 'create:apis', {}],
  ['GET', '/apis/no-such-id', 'read:apis'],
  ['PATCH', '/apis/no-such-id', 'update:apis', {}],
  ['DELETE', '/apis/no-such-id', 'delete:apis'],
  ['GET', '/client-grants', 'read:client_grants'],
  ['POST', '/client-grants', 'create:client_grants', {}],
  ['GET', '/client-grants/no-such-id', 'read:client_grants'],
  ['PATCH', '/client-grants/no-such-id', 'update:client_grants', {}],
  ['DELETE', '/client-grants/no-such-id', 'delete:client_grants'],
  ['GET', '/users', 'read:users'],
  ['POST', '/users', 'create:users', {}],
  ['GET', '/users/no-such-id', 'read:users'],
  ['PATCH', '/users/no-such-id', 'update:users', {}],
  ['DELETE', '/users/no-such-id', 'delete:users'],
  ['GET', '/keys', 'read:keys'],
  ['POST', '/keys/rotate', 'rotate:keys', { algs: [] }],
  ['POST', '/keys/no-such-kid/withdraw', 'rotate:keys'],
  ['GET', '/audit-events', 'read:audit'],
  ['GET', '/connections', 'read:connections'],
  ['POST', '/connections', 'create:connections', {}],
  ['GET', '/connections/no-such-id', 'read:connections'],
  ['PATCH', '/connections/no-such-id', 'update:connections', {}],
  ['DELETE', '/connections/no-such-id', 'delete:connections'],
];

const routeName = (method: string, path: string) => `${method} /api/v1${path}`;
const table = ROUTES.map(([method, path, scope, body]) => ({ route: routeName(method, path), method, path, scope, body }));

let userToken: string;
let idToken: string;
let foreignKeyToken: string;
let otherApiToken: string;

beforeAll(async () => {
  const user = await createUser();
  const tokens = await signInForTokens({ scope: 'openid read:items' }, { ...user, ip: freshIp() });
  userToken = tokens.access_token;
  idToken = tokens.id_token!;
  // A client credentials token, but for another API.
  const machine = await createMachineClient('https://api.example.com', ['read:items']);
  otherApiToken = (await expectTokenResponse(await clientCredentials({}, machine.basic))).access_token;
  // Shaped exactly like a management token, with every scope, but signed by a key we never published.
  const { privateKey } = await generateKeyPair('ES256');
  foreignKeyToken = await new SignJWT({ client_id: 'dev-admin', scope: MANAGEMENT_SCOPES.join(' ') })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'forged' })
    .setIssuer(ISSUER)
    .setSubject('dev-admin')
    .setAudience(MANAGEMENT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti('forged-jti-123456')
    .sign(privateKey);
});

describe('the route table is the Management API', () => {
  it('covers every scope the built-in API defines', () => {
    // grant:management_api guards what a route passes on, not a route (test/attacks/management-privilege.test.ts).
    expect(new Set([...ROUTES.map(([, , scope]) => scope), 'grant:management_api'])).toEqual(new Set(MANAGEMENT_SCOPES));
  });
});

describe.each(table)('$route', ({ method, path, scope, body }) => {
  it('refuses a request without a token: 401 and a bare Bearer challenge (RFC 6750 section 3.1)', async () => {
    const response = await management(method, path, body, null);
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="edge-auth", DPoP algs="ES256 EdDSA RS256"');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });

  it.each([
    ['a garbage token', () => 'not-a-jwt'],
    ['a token signed by an unpublished key', () => foreignKeyToken],
    ['a user access token for https://api.example.com', () => userToken],
    ['an ID token', () => idToken],
    ['a client credentials token for https://api.example.com', () => otherApiToken],
  ])('refuses %s with 401 invalid_token', async (_name, token) => {
    const description = await expectBearerError(await management(method, path, body, token()), 401, 'invalid_token');
    expect(description).not.toMatch(/scope/);
  });

  it('refuses Basic client credentials in place of a token', async () => {
    await expectBearerError(await management(method, path, body, null, { Authorization: ADMIN_BASIC }), 400, 'invalid_request');
  });

  it(`refuses a management token without ${scope}: 403 insufficient_scope naming it`, async () => {
    const description = await expectBearerError(await management(method, path, body, await managementToken(scopesWithout(scope))), 403, 'insufficient_scope');
    expect(description).toContain(scope);
  });

  it(`lets a token with only ${scope} through to the route itself`, async () => {
    const response = await management(method, path, body, await managementToken([scope]));
    expect([200, 400, 404]).toContain(response.status);
  });
});

describe('user tokens for the Management API audience', () => {
  beforeAll(async () => {
    // A misregistered app that lists the Management API among its audiences, written to D1 as an
    // operator could with SQL.
    await env.DB.prepare(
      `INSERT OR IGNORE INTO clients (id, name, type, redirect_uris, grant_types, scopes, audiences)
       VALUES ('mgmt-user-app', 'Management by users', 'public', '["com.example.mgmt:/callback"]', '["authorization_code"]',
               '["read:clients"]', '["${MANAGEMENT_AUDIENCE}"]')`,
    ).run();
    clearRegistryCache();
  });

  // Regression: requireScope checked only `aud` and `scope`, so a user who signed in to any client
  // listing the Management API audience got a working management token (issue 5: the API takes
  // client credentials tokens only).
  it('refuses an access token a user got for the Management API audience', async () => {
    const user = await createUser();
    const tokens = await signInForTokens(
      { scope: 'read:clients', client_id: 'mgmt-user-app', redirect_uri: 'com.example.mgmt:/callback', nonce: undefined },
      { ...user, ip: freshIp() },
    );
    await expectBearerError(await management('GET', '/clients', undefined, tokens.access_token), 401, 'invalid_token');
  });
});
