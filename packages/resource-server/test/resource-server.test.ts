/**
 * The kit for protected APIs, in workerd, with real tokens issued by edge-auth (the worker under
 * test): the kit fetches edge-auth's discovery and JWKS through the worker itself.
 */
import { exports } from 'cloudflare:workers';
import { Hono } from 'hono';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectTokenResponse } from '../../../test/helpers/assertions';
import { dpopKey, dpopProof, serverNonce, tokenRequest, type DpopKey } from '../../../test/helpers/dpop';
import { ISSUER } from '../../../test/helpers/fixtures';
import { obtainCode, signInForTokens } from '../../../test/helpers/flow';
import { clientCredentials, createMachineClient, management, ok } from '../../../test/helpers/management';
import { unique } from '../../../test/helpers/values';
import { protectedResource, protectedResourceMetadata, requireAccessToken, withAccessToken, type AccessTokenVariables, type ProtectedResource } from '../src/index';

const API = 'https://api.example.com';
/** The worker under test, as the kit's fetch: discovery and the JWKS come from edge-auth itself. */
const edgeAuth: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init));

function kitFor(resource: string, scopesSupported = ['read:items', 'write:items']): ProtectedResource {
  return protectedResource({ issuer: ISSUER, resource, scopesSupported, resourceName: 'Example API', fetch: edgeAuth });
}

/** An API on Hono: GET /items needs read:items, POST /items write:items. */
function honoApi(kit: ProtectedResource) {
  const app = new Hono<{ Variables: AccessTokenVariables }>();
  app.use(protectedResourceMetadata(kit));
  app.get('/items', requireAccessToken(kit, { scopes: ['read:items'] }), (c) => c.json({ sub: c.var.accessToken.subject, scopes: c.var.accessToken.scopes }));
  app.post('/items', requireAccessToken(kit, { scopes: ['write:items'] }), (c) => c.json({ created: true }));
  return app;
}

const kit = kitFor(API);
const app = honoApi(kit);
const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => app.fetch(new Request(`${API}${path}`, { method, headers }));

/** The challenges of a refusal, parsed loosely: the first must be Bearer (MCP clients read only it). */
function challenge(response: Response): string {
  const header = response.headers.get('WWW-Authenticate') ?? '';
  expect(header).toMatch(/^Bearer /);
  return header;
}

let userToken: string;

beforeAll(async () => {
  userToken = (await signInForTokens({ resource: API, scope: 'openid read:items' })).access_token;
});

describe('protected-resource metadata (RFC 9728)', () => {
  it('serves the metadata at the well-known URL of a resource without a path', async () => {
    const response = await get('/.well-known/oauth-protected-resource');
    expect(response.status).toBe(200);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(await response.json()).toEqual({
      resource: API,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ['header'],
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'RS256'],
      scopes_supported: ['read:items', 'write:items'],
      resource_name: 'Example API',
    });
  });

  it('serves a resource with a path at the path-suffixed URL (section 3.1) and at the root one', async () => {
    const mcp = kitFor('https://mcp.example.com/mcp', ['mcp:tools']);
    expect(mcp.metadataUrl).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const response = mcp.serveMetadata(new Request(`https://mcp.example.com${path}`))!;
      expect(((await response.json()) as { resource: string }).resource).toBe('https://mcp.example.com/mcp');
    }
    expect(mcp.serveMetadata(new Request('https://mcp.example.com/.well-known/oauth-protected-resource/other'))).toBeUndefined();
    expect(mcp.serveMetadata(new Request('https://mcp.example.com/mcp'))).toBeUndefined();
    expect(mcp.serveMetadata(new Request('https://mcp.example.com/.well-known/oauth-protected-resource/mcp', { method: 'POST' }))!.status).toBe(405);
  });

  it('refuses a resource with a fragment when configured', () => {
    expect(() => kitFor('https://api.example.com/#x')).toThrow(TypeError);
  });
});

describe('verifying edge-auth access tokens', () => {
  it('lets a valid token through with its subject and scopes', async () => {
    const response = await get('/items', { Authorization: `Bearer ${userToken}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: decodeJwt(userToken).sub, scopes: ['openid', 'read:items'] });
  });

  it('answers a request without a token 401 with resource_metadata and the scope to ask for, no error code', async () => {
    const response = await get('/items');
    expect(response.status).toBe(401);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const header = challenge(response);
    expect(header).toContain(`resource_metadata="${API}/.well-known/oauth-protected-resource"`);
    expect(header).toContain('scope="read:items"');
    expect(header).not.toContain('error=');
    expect(header).toContain('DPoP algs="ES256 EdDSA RS256"');
  });

  it('adds extraChallengeScopes to every challenge, so MCP clients ask for a refresh token', async () => {
    const offline = protectedResource({ issuer: ISSUER, resource: API, extraChallengeScopes: ['offline_access'], fetch: edgeAuth });
    const response = await honoApi(offline).fetch(new Request(`${API}/items`));
    expect(challenge(response)).toContain('scope="read:items offline_access"');
  });

  it('answers a missing scope 403 insufficient_scope naming the scope needed', async () => {
    const response = await get('/items', { Authorization: `Bearer ${userToken}` }, 'POST');
    expect(response.status).toBe(403);
    const header = challenge(response);
    expect(header).toContain('error="insufficient_scope"');
    expect(header).toContain('scope="write:items"');
    expect(header).toContain('resource_metadata=');
    expect(((await response.json()) as { error: string }).error).toBe('insufficient_scope');
  });

  it('refuses a token for another resource with 401 invalid_token', async () => {
    const other = `https://other-${unique()}.example.com`;
    await ok(await management('POST', '/apis', { identifier: other, name: 'Other API', scopes: ['read:items'] }), 201);
    const machine = await createMachineClient(other, ['read:items']);
    const foreign = (await expectTokenResponse(await clientCredentials({ resource: other }, machine.basic))).access_token;
    const response = await get('/items', { Authorization: `Bearer ${foreign}` });
    expect(response.status).toBe(401);
    expect(challenge(response)).toContain('error="invalid_token"');
    // The same token is accepted by the resource it was issued for.
    const otherApp = honoApi(kitFor(other));
    expect((await otherApp.fetch(new Request(`${other}/items`, { headers: { Authorization: `Bearer ${foreign}` } }))).status).toBe(200);
  });

  it('refuses an ID token (typ JWT, not at+jwt), a tampered token and a malformed header', async () => {
    const tokens = await signInForTokens({ resource: API, scope: 'openid read:items' });
    for (const authorization of [`Bearer ${tokens.id_token}`, `Bearer ${userToken.slice(0, -4)}AAAA`, 'Bearer', `Basic ${btoa('a:b')}`, `Bearer ${userToken} x`]) {
      const response = await get('/items', { Authorization: authorization });
      expect(response.status, authorization.slice(0, 12)).toBe(401);
      expect(challenge(response)).toContain('error="invalid_token"');
    }
  });

  it('accepts an MCP client’s resource with a trailing slash as the same resource', async () => {
    const slashed = honoApi(kitFor(`${API}/`));
    expect((await slashed.fetch(new Request(`${API}/items`, { headers: { Authorization: `Bearer ${userToken}` } }))).status).toBe(200);
  });
});

describe('DPoP-bound tokens (RFC 9449 section 7)', () => {
  let key: DpopKey;
  let bound: string;
  const URL_ITEMS = `${API}/items`;

  beforeAll(async () => {
    key = await dpopKey();
    const nonce = await serverNonce(key);
    const issued = await obtainCode({ resource: API, scope: 'openid read:items' });
    const body = { grant_type: 'authorization_code', client_id: 'demo-app', code: issued.code, redirect_uri: issued.redirectUri, code_verifier: issued.verifier };
    bound = (await expectTokenResponse(await tokenRequest(body, await dpopProof(key, { nonce })))).access_token;
    expect(decodeJwt(bound).cnf).toEqual({ jkt: key.jkt });
  });

  it('accepts a bound token with the DPoP scheme and a proof for this request and token', async () => {
    const proof = await dpopProof(key, { htm: 'GET', htu: URL_ITEMS, accessToken: bound });
    expect((await get('/items', { Authorization: `DPoP ${bound}`, DPoP: proof })).status).toBe(200);
  });

  it('refuses a bound token as Bearer, without a proof, or with a proof for another URL, method, token or key', async () => {
    const other = await dpopKey();
    const cases: [string, Record<string, string>][] = [
      ['as Bearer', { Authorization: `Bearer ${bound}` }],
      ['without a proof', { Authorization: `DPoP ${bound}` }],
      ['another URL', { Authorization: `DPoP ${bound}`, DPoP: await dpopProof(key, { htm: 'GET', htu: `${API}/other`, accessToken: bound }) }],
      ['another method', { Authorization: `DPoP ${bound}`, DPoP: await dpopProof(key, { htm: 'POST', htu: URL_ITEMS, accessToken: bound }) }],
      ['another token', { Authorization: `DPoP ${bound}`, DPoP: await dpopProof(key, { htm: 'GET', htu: URL_ITEMS, accessToken: userToken }) }],
      ['another key', { Authorization: `DPoP ${bound}`, DPoP: await dpopProof(other, { htm: 'GET', htu: URL_ITEMS, accessToken: bound }) }],
    ];
    for (const [name, headers] of cases) {
      const response = await get('/items', headers);
      expect(response.status, name).toBe(401);
      expect(challenge(response), name).toContain('error="invalid_token"');
    }
  });

  it('refuses an unbound token sent with the DPoP scheme', async () => {
    const proof = await dpopProof(key, { htm: 'GET', htu: URL_ITEMS, accessToken: userToken });
    expect((await get('/items', { Authorization: `DPoP ${userToken}`, DPoP: proof })).status).toBe(401);
  });
});

describe('the plain fetch handler', () => {
  const handler = withAccessToken(kit, (_request, _env, _ctx, token) => Response.json({ sub: token.subject }), { scopes: ['read:items'] });

  it('serves metadata, refuses without a token, and passes the token to the handler', async () => {
    expect((await handler(new Request(`${API}/.well-known/oauth-protected-resource`), {}, {})).status).toBe(200);
    const refused = await handler(new Request(`${API}/items`), {}, {});
    expect(refused.status).toBe(401);
    expect(challenge(refused)).toContain('resource_metadata=');
    const served = await handler(new Request(`${API}/items`, { headers: { Authorization: `Bearer ${userToken}` } }), {}, {});
    expect(await served.json()).toEqual({ sub: decodeJwt(userToken).sub });
  });
});
