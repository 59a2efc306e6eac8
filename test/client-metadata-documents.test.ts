/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25): a
 * client_id that is a URL is fetched from the local document server (test/helpers/document-server.ts)
 * over real HTTP, validated, cached, and used as an unverified public client.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { expectErrorPage, expectErrorRedirect, expectLoginRedirect } from './helpers/assertions';
import type { DocumentSpec } from './helpers/document-server';
import { DOCUMENT_SERVERS } from './helpers/document-servers';
import { documentOrigin, fetchCount, serveDocument as serveOn } from './helpers/documents';

const SERVER = DOCUMENT_SERVERS.metadataDocuments;
const serveDocument = (path: string, spec: DocumentSpec) => serveOn(path, spec, SERVER);
import { ISSUER } from './helpers/fixtures';
import { authorizePath, defaultAuthorization, openLogin, redeem, submitLogin } from './helpers/flow';
import { call, cookieFrom, form, LOGIN_COOKIE, SESSION_COOKIE } from './helpers/http';
import { management, ok, waitForAudit } from './helpers/management';
import { callWith } from './helpers/registration';
import { freshIp, unique } from './helpers/values';

const LOOPBACK_REDIRECT = 'http://127.0.0.1/callback';
const API = 'https://api.example.com';

/** A fresh document path per test: the isolate's cache is shared by the whole file. */
function documentPath(): string {
  return `/cimd/${unique()}/client.json`;
}

function metadata(clientId: string, extra: Record<string, unknown> = {}) {
  return {
    client_id: clientId,
    client_name: 'Agent Tool',
    redirect_uris: [LOOPBACK_REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
    ...extra,
  };
}

/** Serves a valid document (changed by `extra`) and returns its URL, the client_id. */
async function publish(extra: Record<string, unknown> = {}, headers: Record<string, string> = {}, path = documentPath()): Promise<string> {
  const clientId = `${documentOrigin(SERVER)}${path}`;
  await serveDocument(path, { body: JSON.stringify(metadata(clientId, extra)), headers });
  return clientId;
}

const pathOf = (clientId: string) => new URL(clientId).pathname;

async function authorizeAs(clientId: string, overrides: Record<string, string | undefined> = {}, cookie?: string) {
  const { params, verifier } = await defaultAuthorization({
    client_id: clientId,
    redirect_uri: 'http://127.0.0.1:51234/callback',
    audience: API,
    scope: 'openid read:items',
    ...overrides,
  });
  const response = await call(authorizePath(params), cookie ? { headers: { Cookie: cookie } } : {});
  return { response, params, verifier };
}

/** Authorize and sign in: a document client always lands on the consent page. */
async function reachConsentAs(clientId: string) {
  const { response, params, verifier } = await authorizeAs(clientId);
  const pending = await openLogin(response, verifier, params);
  const login = await submitLogin(pending, {}, { 'CF-Connecting-IP': freshIp() });
  expect(login.status).toBe(303);
  expect(login.headers.get('Location')).toBe('/consent');
  return { cookie: cookieFrom(login, LOGIN_COOKIE), session: cookieFrom(login, SESSION_COOKIE), pending };
}

describe('a client known by its metadata document', () => {
  it('signs in through an unverified consent page, and its code redeems as a public client', async () => {
    const clientId = await publish();
    const loginPage = await (await call('/login', { headers: { Cookie: cookieFrom((await authorizeAs(clientId)).response) } })).text();
    expect(loginPage).toContain('to continue to Agent Tool');
    expect(loginPage).toContain(`Unverified app: its name comes from ${new URL(clientId).host}.`);
    const { cookie, pending } = await reachConsentAs(clientId);

    const page = await call('/consent', { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Allow Agent Tool?');
    expect(html).toContain('<strong>Unverified app.</strong>');
    expect(html).toContain(`Its name comes from ${new URL(clientId).host}, not from this service.`);
    expect(html).toContain('You will be sent back to <strong>127.0.0.1:51234 (an app on this device)</strong>');

    const allowed = await call('/consent', form({ request_id: pending.requestId, decision: 'allow' }, { headers: { Cookie: cookie } }));
    expect(allowed.status).toBe(303);
    const location = new URL(allowed.headers.get('Location')!);
    expect(location.origin + location.pathname).toBe('http://127.0.0.1:51234/callback');
    const code = location.searchParams.get('code')!;
    const issued = { code, verifier: pending.verifier, redirectUri: pending.params.redirect_uri!, location };

    const withSecret = await redeem(issued, { client_id: clientId, client_secret: 'anything' });
    expect(withSecret.status).toBe(401);
    const tokens = await redeem(issued, { client_id: clientId });
    expect(tokens.status).toBe(200);
    expect(await tokens.json()).toMatchObject({ token_type: 'Bearer', scope: 'openid read:items' });
    // One fetch served /authorize, /login, /consent and the token request: the isolate's cache.
    expect(await fetchCount(pathOf(clientId), SERVER)).toBe(1);
  });

  it('never gets silent single sign-on: the session asks on a page, prompt=none answers interaction_required', async () => {
    const clientId = await publish({ redirect_uris: ['https://agent.example.com/callback'] });
    const { response, params, verifier } = await authorizeAs(clientId, { redirect_uri: 'https://agent.example.com/callback' });
    const pending = await openLogin(response, verifier, params);
    const login = await submitLogin(pending, {}, { 'CF-Connecting-IP': freshIp() });
    const session = cookieFrom(login, SESSION_COOKIE);

    // A claimed https redirect would be approved silently for a registered public client; not here.
    const again = await authorizeAs(clientId, { redirect_uri: 'https://agent.example.com/callback' }, session);
    expectLoginRedirect(again.response);
    const oneTap = await (await call('/login', { headers: { Cookie: `${cookieFrom(again.response)}; ${session}` } })).text();
    expect(oneTap).toContain('Continue to Agent Tool?');
    expect(oneTap).toContain(`Its name comes from ${new URL(clientId).host}, not from this service.`);
    expect(oneTap).toContain('You will be sent back to <strong>agent.example.com</strong>');
    const silent = await authorizeAs(clientId, { redirect_uri: 'https://agent.example.com/callback', prompt: 'none' }, session);
    expectErrorRedirect(silent.response, 'interaction_required', { redirectUri: 'https://agent.example.com/callback' });
  });

  it('asks for consent again on the next sign-in, even after the user allowed it once', async () => {
    const clientId = await publish();
    const first = await reachConsentAs(clientId);
    const allowed = await call('/consent', form({ request_id: first.pending.requestId, decision: 'allow' }, { headers: { Cookie: first.cookie } }));
    expect(allowed.status).toBe(303);
    await reachConsentAs(clientId);
  });

  it('matches redirect URIs exactly, with only the loopback port free (RFC 8252 section 7.3)', async () => {
    const clientId = await publish({ redirect_uris: [LOOPBACK_REDIRECT, 'com.example.agent:/callback'] });
    expectLoginRedirect((await authorizeAs(clientId, { redirect_uri: 'http://127.0.0.1:9999/callback' })).response);
    expectLoginRedirect((await authorizeAs(clientId, { redirect_uri: 'com.example.agent:/callback' })).response);
    for (const other of ['http://127.0.0.1:9999/other', 'com.example.agent:/callback/', 'https://evil.example/callback']) {
      await expectErrorPage((await authorizeAs(clientId, { redirect_uri: other })).response);
    }
  });

  it.each([
    ['a client_id that is not the URL', (url: string) => ({ client_id: `${url}?x` })],
    ['no client_name', () => ({ client_name: undefined })],
    ['no redirect_uris', () => ({ redirect_uris: undefined })],
    ['a client_secret', () => ({ client_secret: 'shh' })],
    ['token_endpoint_auth_method client_secret_basic', () => ({ token_endpoint_auth_method: 'client_secret_basic' })],
    ['a plain-http redirect URI to another host', () => ({ redirect_uris: ['http://agent.example.com/callback'] })],
    ['a wildcard redirect URI', () => ({ redirect_uris: ['https://*.example.com/callback'] })],
    ['a grant type other than code and refresh', () => ({ grant_types: ['authorization_code', 'client_credentials'] })],
  ])('refuses a document with %s: an error page, nothing redirected', async (_name, change) => {
    const path = documentPath();
    const url = `${documentOrigin(SERVER)}${path}`;
    await serveDocument(path, { body: JSON.stringify(metadata(url, change(url))) });
    const html = await expectErrorPage((await authorizeAs(url)).response);
    expect(html).toContain('not registered');
  });

  it.each([
    ['a redirect', { status: 302, headers: { Location: 'http://127.0.0.1:1/x' } }],
    ['an oversized body', { body: JSON.stringify({ pad: 'x'.repeat(6000) }) }],
    ['HTML', { body: '<html></html>', headers: { 'Content-Type': 'text/html' } }],
    ['a timeout', { body: '{}', delayMs: 4000 }],
  ])('refuses a document URL that answers with %s', async (_name, spec) => {
    const path = documentPath();
    await serveDocument(path, spec);
    await expectErrorPage((await authorizeAs(`${documentOrigin(SERVER)}${path}`)).response);
  });

  it.each([
    ['a fragment', '/cimd/a/client.json#x'],
    ['no path', '/'],
    ['dot segments', '/cimd/a/../client.json'],
    ['an encoded dot segment', '/cimd/a/%2e%2e/client.json'],
  ])('refuses a client_id URL with %s, without fetching it', async (_name, suffix) => {
    const clientId = `${documentOrigin(SERVER)}${suffix}`;
    await serveDocument('/cimd/client.json', { body: JSON.stringify(metadata(clientId)) });
    await expectErrorPage((await authorizeAs(clientId)).response);
    expect(await fetchCount('/cimd/client.json', SERVER)).toBe(0);
  });

  it('refuses a client_id URL with credentials or on a private address', async () => {
    const port = new URL(documentOrigin(SERVER)).port;
    for (const clientId of [`http://user:pw@127.0.0.1:${port}/cimd/x.json`, 'https://10.0.0.1/client.json', 'https://localhost/client.json']) {
      await expectErrorPage((await authorizeAs(clientId)).response);
    }
  });

  it('keeps a document for at least a minute, whatever its Cache-Control says', async () => {
    const clientId = await publish({}, { 'Cache-Control': 'no-store' });
    expectLoginRedirect((await authorizeAs(clientId)).response);
    expectLoginRedirect((await authorizeAs(clientId)).response);
    expect(await fetchCount(pathOf(clientId), SERVER)).toBe(1);
  });

  it('does not cache a refusal: a corrected document is used at the next request', async () => {
    const path = documentPath();
    const clientId = `${documentOrigin(SERVER)}${path}`;
    await serveDocument(path, { body: JSON.stringify(metadata(clientId, { client_name: '' })) });
    await expectErrorPage((await authorizeAs(clientId)).response);
    await publish({}, {}, path);
    expectLoginRedirect((await authorizeAs(clientId)).response);
  });

  it('may use an API created after its document was cached, without a new fetch', async () => {
    const clientId = await publish();
    expectLoginRedirect((await authorizeAs(clientId)).response);
    const identifier = `https://new-${unique()}.example.com`;
    await ok(await management('POST', '/apis', { identifier, name: 'New API', scopes: ['read:new'] }), 201);
    expectLoginRedirect((await authorizeAs(clientId, { audience: identifier, scope: 'openid read:new' })).response);
    expect(await fetchCount(pathOf(clientId), SERVER)).toBe(1);
  });

  it('is not given the Management API', async () => {
    const clientId = await publish();
    const { response } = await authorizeAs(clientId, { audience: 'urn:edge-auth:management-api', scope: 'read:users' });
    expectErrorRedirect(response, 'invalid_request', { redirectUri: 'http://127.0.0.1:51234/callback' });
  });

  it('audits each fetch and each refused document, with the reason', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const good = await publish({}, { 'Cache-Control': 'max-age=600' });
    expectLoginRedirect((await authorizeAs(good)).response);
    const bad = await publish({ client_secret: 'shh' });
    await expectErrorPage((await authorizeAs(bad)).response);
    const fetched = await waitForAudit(`event=client_metadata_fetched&client_id=${encodeURIComponent(good)}&since=${since}`, (items) => items.length > 0);
    expect(fetched[0]).toMatchObject({ client_id: good, detail: { cache_seconds: 600 } });
    const refused = await waitForAudit(`event=client_metadata_refused&client_id=${encodeURIComponent(bad)}&since=${since}`, (items) => items.length > 0);
    expect(refused[0]).toMatchObject({ client_id: bad, detail: { reason: 'document', message: expect.stringContaining('client_secret') } });
  });

  it('may authenticate with private_key_jwt, keys in the document: the token request needs the assertion', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'agent-key', alg: 'ES256' };
    const clientId = await publish({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } });
    const { cookie, pending } = await reachConsentAs(clientId);
    const allowed = await call('/consent', form({ request_id: pending.requestId, decision: 'allow' }, { headers: { Cookie: cookie } }));
    const code = new URL(allowed.headers.get('Location')!).searchParams.get('code')!;
    const issued = { code, verifier: pending.verifier, redirectUri: pending.params.redirect_uri!, location: new URL('http://127.0.0.1') };

    // Without the assertion the client is refused, and the code is left for the real client.
    expect((await redeem(issued, { client_id: clientId })).status).toBe(401);
    const signed = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'agent-key' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(`${ISSUER}/oauth/token`)
      .setExpirationTime('1m')
      .sign(privateKey);
    const tokens = await redeem(issued, {
      client_id: undefined,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: signed,
    });
    expect(tokens.status).toBe(200);
  });

  it('is advertised in discovery', async () => {
    const metadataResponse = await call('/.well-known/oauth-authorization-server');
    expect(await metadataResponse.json()).toMatchObject({ client_id_metadata_document_supported: true });
  });
});

describe('CLIENT_ID_METADATA_DOCUMENTS=off', () => {
  const OFF = { CLIENT_ID_METADATA_DOCUMENTS: 'off' };

  it('makes a URL client_id an unknown client everywhere, fetching nothing, and discovery says so', async () => {
    const clientId = await publish();
    const { params } = await defaultAuthorization({ client_id: clientId, redirect_uri: 'http://127.0.0.1:51234/callback', audience: API, scope: 'openid read:items' });
    const refused = await callWith(OFF, authorizePath(params));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('The app that sent you here is not registered.');
    const token = await callWith(OFF, '/oauth/token', { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code: 'x', code_verifier: 'x'.repeat(43) }) });
    expect(token.status).toBe(401);
    expect(await token.json()).toMatchObject({ error: 'invalid_client' });
    expect(await fetchCount(pathOf(clientId), SERVER)).toBe(0);

    const discovery = await (await callWith(OFF, '/.well-known/oauth-authorization-server')).json();
    expect(discovery).toMatchObject({ client_id_metadata_document_supported: false });
  });
});
