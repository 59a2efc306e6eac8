/**
 * Resource indicators (RFC 8707): `resource` selects the API as `audience` does, at /authorize,
 * POST /par and the token endpoint; the access token's `aud` is it. One resource per request; a
 * resource and an audience that disagree, an unknown resource or one the client may not use are
 * invalid_target. The resource chosen at /authorize is bound to the code and to its refresh tokens.
 */
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectErrorPage, expectErrorRedirect, expectOAuthError, expectTokenResponse, PUSH_ERRORS } from './helpers/assertions';
import { DEMO_REDIRECT } from './helpers/fixtures';
import {
  authorizePath,
  defaultAuthorization,
  obtainCode,
  push,
  pushAuthorization,
  pushedAuthorizePath,
  redeem,
  redeemForTokens,
  refresh,
  signInForTokens,
} from './helpers/flow';
import { call, cookieFrom } from './helpers/http';
import { clientCredentials, createMachineClient, management, ok } from './helpers/management';
import { unique } from './helpers/values';

const API = 'https://api.example.com';
/** An API demo-app may not use: created once for this file. */
let foreignApi: string;

beforeAll(async () => {
  foreignApi = `https://foreign-${unique()}.example.com/mcp`;
  await ok(await management('POST', '/apis', { identifier: foreignApi, name: 'Foreign API', scopes: ['read:items'] }), 201);
});

const audOf = (accessToken: string) => decodeJwt(accessToken).aud;

describe('resource at /authorize (RFC 8707 section 2.1)', () => {
  it('selects the API: the code is redeemed for an access token whose aud is the resource', async () => {
    const tokens = await signInForTokens({ resource: API, audience: undefined });
    expect(audOf(tokens.access_token)).toBe(API);
  });

  it('matches the API identifier once normalised: an MCP client sends https://api.example.com/', async () => {
    const tokens = await signInForTokens({ resource: `${API}/` });
    // The token carries the API's registered identifier.
    expect(audOf(tokens.access_token)).toBe(API);
  });

  it('accepts resource and audience together when they name the same API', async () => {
    const tokens = await signInForTokens({ resource: API, audience: API });
    expect(audOf(tokens.access_token)).toBe(API);
  });

  it.each([
    ['with a fragment', `${API}#frag`],
    ['relative', '/items'],
    ['not a URI', 'api.example.com'],
    ['unknown', 'https://unknown.example.com/'],
  ])('refuses a resource %s with invalid_target, redirected with state and iss', async (_, resource) => {
    const { params } = await defaultAuthorization({ resource });
    const error = expectErrorRedirect(await call(authorizePath(params)), 'invalid_target');
    // Client input is not reflected.
    expect(error.get('error_description')).not.toContain(resource);
  });

  it('refuses an API that exists but is not allowed to the client with invalid_target', async () => {
    const { params } = await defaultAuthorization({ resource: foreignApi });
    expectErrorRedirect(await call(authorizePath(params)), 'invalid_target');
  });

  it('keeps audience errors as they were: invalid_request for an unknown audience', async () => {
    const { params } = await defaultAuthorization({ audience: foreignApi });
    expectErrorRedirect(await call(authorizePath(params)), 'invalid_request');
  });

  it('refuses a resource and an audience that name different APIs', async () => {
    const { params } = await defaultAuthorization({ resource: API, audience: foreignApi });
    expectErrorRedirect(await call(authorizePath(params)), 'invalid_target');
  });

  it('refuses two resources with invalid_target: a token has a single audience', async () => {
    const { params } = await defaultAuthorization({ resource: API });
    const response = await call(`${authorizePath(params)}&resource=${encodeURIComponent(foreignApi)}`);
    expectErrorRedirect(response, 'invalid_target');
    const same = await call(`${authorizePath(params)}&resource=${encodeURIComponent(API)}`);
    expectErrorRedirect(same, 'invalid_target');
  });

  it('shows a page, never redirects, when the redirect URI is not trusted yet', async () => {
    const { params } = await defaultAuthorization({ resource: 'https://unknown.example.com/', redirect_uri: 'com.example.evil:/callback' });
    await expectErrorPage(await call(authorizePath(params)));
  });
});

describe('resource at POST /par (RFC 9126 with RFC 8707)', () => {
  it('a pushed resource selects the API of the tokens', async () => {
    const pushed = await pushAuthorization({ resource: API, scope: 'openid read:items' });
    const authorized = await call(pushedAuthorizePath('demo-app', pushed.requestUri));
    expect(authorized.status).toBe(302);
    expect(authorized.headers.get('Location')).toBe('/login');
    expect(cookieFrom(authorized)).toBeTruthy();
  });

  it.each([
    ['unknown', { resource: 'https://unknown.example.com/' }],
    ['not allowed', { resource: 'FOREIGN' }],
    ['with a fragment', { resource: `${API}#x` }],
    ['disagreeing with audience', { resource: API, audience: 'FOREIGN' }],
  ])('refuses a resource %s with JSON invalid_target', async (_, overrides) => {
    const fixed = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, v === 'FOREIGN' ? foreignApi : v]));
    const { params } = await defaultAuthorization(fixed);
    await expectOAuthError(await push(params), 400, 'invalid_target', PUSH_ERRORS);
  });

  it('refuses two resources with invalid_target', async () => {
    const { params } = await defaultAuthorization({ resource: API });
    const body = `${new URLSearchParams(params as Record<string, string>).toString()}&resource=${encodeURIComponent(foreignApi)}`;
    const response = await call('/par', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    await expectOAuthError(response, 400, 'invalid_target', PUSH_ERRORS);
  });
});

describe('resource at the token endpoint: authorization code (RFC 8707 section 2.2)', () => {
  it('accepts the resource of the authorization request, or none', async () => {
    expect(audOf((await redeemForTokens(await obtainCode({ resource: API }), { resource: API })).access_token)).toBe(API);
    expect(audOf((await redeemForTokens(await obtainCode({ resource: API }))).access_token)).toBe(API);
    // Also when /authorize named the API by audience, or by nothing (the client's only API).
    expect(audOf((await redeemForTokens(await obtainCode({ audience: API }), { resource: `${API}/` })).access_token)).toBe(API);
  });

  it('refuses another resource with invalid_target, and the code is spent', async () => {
    const issued = await obtainCode({ resource: API });
    const body = await expectOAuthError(await redeem(issued, { resource: foreignApi }), 400, 'invalid_target');
    expect(body.error_description).toContain('spent');
    await expectOAuthError(await redeem(issued), 400, 'invalid_grant');
  });

  it('refuses a malformed resource before the code is touched', async () => {
    const issued = await obtainCode({ resource: API });
    await expectOAuthError(await redeem(issued, { resource: 'not a uri' }), 400, 'invalid_target');
    await expectOAuthError(await redeem(issued, { resource: API, audience: foreignApi }), 400, 'invalid_target');
    await expectTokenResponse(await redeem(issued));
  });

  it('refuses two resources before the code is touched', async () => {
    const issued = await obtainCode({ resource: API });
    const fields = { grant_type: 'authorization_code', client_id: 'demo-app', code: issued.code, redirect_uri: DEMO_REDIRECT, code_verifier: issued.verifier };
    const body = `${new URLSearchParams(fields).toString()}&resource=${encodeURIComponent(API)}&resource=${encodeURIComponent(API)}`;
    const response = await call('/oauth/token', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    await expectOAuthError(response, 400, 'invalid_target');
    await expectTokenResponse(await redeem(issued));
  });
});

describe('resource at the token endpoint: refresh (RFC 8707 section 2.2)', () => {
  it('a refresh may name its grant’s resource; another is invalid_target and the token is not spent', async () => {
    const tokens = await signInForTokens({ resource: API, scope: 'openid read:items offline_access' });
    await expectOAuthError(await refresh(tokens.refresh_token!, { resource: foreignApi }), 400, 'invalid_target');
    await expectOAuthError(await refresh(tokens.refresh_token!, { resource: 'urn:x#y' }), 400, 'invalid_target');
    const refreshed = await expectTokenResponse(await refresh(tokens.refresh_token!, { resource: API }));
    expect(audOf(refreshed.access_token)).toBe(API);
    // The one refused was not counted as a use: the rotated token is the live one.
    await expectTokenResponse(await refresh(refreshed.refresh_token!));
  });
});

describe('resource at the token endpoint: client credentials (RFC 8707 section 2.2)', () => {
  it('selects the API the client has a grant for, and refuses others with invalid_target', async () => {
    const machine = await createMachineClient(foreignApi, ['read:items']);
    const body = await expectTokenResponse(await clientCredentials({ resource: foreignApi }, machine.basic));
    expect(audOf(body.access_token)).toBe(foreignApi);
    await expectOAuthError(await clientCredentials({ resource: API }, machine.basic), 400, 'invalid_target');
    await expectOAuthError(await clientCredentials({ resource: foreignApi, audience: API }, machine.basic), 400, 'invalid_target');
    await expectOAuthError(await clientCredentials({ resource: 'relative' }, machine.basic), 400, 'invalid_target');
    // The audience keeps its own error.
    await expectOAuthError(await clientCredentials({ audience: API }, machine.basic), 400, 'unauthorized_client');
  });
});

describe('discovery for MCP clients (RFC 8414; MCP authorization 2025-11-25)', () => {
  it('advertises S256, the iss parameter and offline_access', async () => {
    const metadata = (await (await call('/.well-known/oauth-authorization-server')).json()) as Record<string, unknown>;
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.scopes_supported).toContain('offline_access');
  });
});
