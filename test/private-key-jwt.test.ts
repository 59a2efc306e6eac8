/**
 * private_key_jwt client authentication (RFC 7523, OIDC Core section 9) at the token, revocation,
 * introspection and PAR endpoints: the client signs an assertion with its own key; edge-auth holds
 * only the public key (inline jwks, or jwks_uri fetched from the local document server).
 */
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { DocumentSpec } from './helpers/document-server';
import { DOCUMENT_SERVERS } from './helpers/document-servers';
import { documentOrigin, fetchCount, serveDocument as serveOn } from './helpers/documents';

const SERVER = DOCUMENT_SERVERS.privateKeyJwt;
const serveDocument = (path: string, spec: DocumentSpec) => serveOn(path, spec, SERVER);
import { DEMO_API_BASIC, ISSUER } from './helpers/fixtures';
import { call, form } from './helpers/http';
import { management, ok } from './helpers/management';
import { unique } from './helpers/values';

const API = 'https://api.example.com';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface KeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function keyPair(alg = 'ES256'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: unique(), alg, use: 'sig' } };
}

/** A confidential client registered for private_key_jwt, with a client grant for the Example API. */
async function pkjClient(keys: Record<string, unknown>) {
  const client = await ok<{ id: string; token_endpoint_auth_method: string }>(
    await management('POST', '/clients', {
      name: `Key client ${unique()}`,
      type: 'confidential',
      grant_types: ['authorization_code', 'client_credentials'],
      redirect_uris: [`https://pkj${unique()}.example.com/cb`],
      scopes: ['openid', 'read:items'],
      audiences: [API],
      token_endpoint_auth_method: 'private_key_jwt',
      ...keys,
    }),
    201,
  );
  await ok(await management('POST', '/client-grants', { client_id: client.id, audience: API, scopes: ['read:items'] }), 201);
  return client;
}

interface AssertionOptions {
  aud?: string | string[];
  exp?: number | null;
  jti?: string | null;
  iss?: string;
  kid?: string | null;
}

async function assertion(clientId: string, key: KeyPair, options: AssertionOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { aud: options.aud ?? `${ISSUER}/oauth/token`, iat: now };
  if (options.exp !== null) claims.exp = options.exp ?? now + 60;
  if (options.jti !== null) claims.jti = options.jti ?? crypto.randomUUID();
  const kid = options.kid === undefined ? key.publicJwk.kid : options.kid;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.publicJwk.alg!, ...(kid !== null && { kid }) })
    .setIssuer(options.iss ?? clientId)
    .setSubject(clientId)
    .sign(key.privateKey);
}

const withAssertion = (signed: string, fields: Record<string, string> = {}) => ({ client_assertion_type: ASSERTION_TYPE, client_assertion: signed, ...fields });

function clientCredentialsWith(signed: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return call('/oauth/token', form(withAssertion(signed, { grant_type: 'client_credentials', audience: API, ...extra }), { headers }));
}

async function expectInvalidClient(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  expect(await response.json()).toMatchObject({ error: 'invalid_client' });
}

describe('private_key_jwt with an inline jwks', () => {
  it('authenticates at the token endpoint, and the Management API shows the method and keys', async () => {
    const key = await keyPair();
    const client = await pkjClient({ jwks: { keys: [key.publicJwk] } });
    expect(client.token_endpoint_auth_method).toBe('private_key_jwt');
    const response = await clientCredentialsWith(await assertion(client.id, key));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token_type: 'Bearer', scope: 'read:items' });
    // aud may also be the issuer itself (RFC 7523 section 3).
    expect((await clientCredentialsWith(await assertion(client.id, key, { aud: ISSUER }))).status).toBe(200);
  });

  it('authenticates at revocation, introspection and PAR', async () => {
    const key = await keyPair('RS256');
    const client = await pkjClient({ jwks: { keys: [key.publicJwk] } });
    const token = ((await (await clientCredentialsWith(await assertion(client.id, key))).json()) as { access_token: string }).access_token;

    const introspected = await call('/oauth/introspect', form(withAssertion(await assertion(client.id, key, { aud: `${ISSUER}/oauth/introspect` }), { token })));
    expect(introspected.status).toBe(200);
    expect(await introspected.json()).toMatchObject({ active: expect.any(Boolean) });

    const revoked = await call('/oauth/revoke', form(withAssertion(await assertion(client.id, key, { aud: `${ISSUER}/oauth/revoke` }), { token })));
    expect(revoked.status).toBe(200);

    const pushed = await call(
      '/par',
      form(
        withAssertion(await assertion(client.id, key, { aud: ISSUER }), {
          response_type: 'code',
          redirect_uri: ((await ok<{ redirect_uris: string[] }>(await management('GET', `/clients/${client.id}`))).redirect_uris[0])!,
          code_challenge: base64url.encode(crypto.getRandomValues(new Uint8Array(32))),
          code_challenge_method: 'S256',
          scope: 'openid',
          audience: API,
        }),
      ),
    );
    expect(pushed.status).toBe(201);
  });

  it.each<[string, (clientId: string, key: KeyPair, other: KeyPair) => Promise<string>]>([
    ['a wrong aud', (id, key) => assertion(id, key, { aud: 'https://other.example.com/oauth/token' })],
    ['an expired assertion', (id, key) => assertion(id, key, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ['no exp', (id, key) => assertion(id, key, { exp: null })],
    ['an exp more than five minutes ahead', (id, key) => assertion(id, key, { exp: Math.floor(Date.now() / 1000) + 3600 })],
    ['no jti', (id, key) => assertion(id, key, { jti: null })],
    ['iss other than the client', (id, key) => assertion(id, key, { iss: 'someone-else' })],
    ['an unknown key (kid of the client, signed by another)', (id, key, other) => new SignJWT({ aud: `${ISSUER}/oauth/token`, exp: Math.floor(Date.now() / 1000) + 60, jti: unique() }).setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid! }).setIssuer(id).setSubject(id).sign(other.privateKey)],
    ['an unknown kid', (id, _key, other) => assertion(id, other)],
    ['HS256, with the public key as the secret', async (id, key) => {
      const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
      return new SignJWT({ aud: `${ISSUER}/oauth/token`, exp: Math.floor(Date.now() / 1000) + 60, jti: unique() }).setProtectedHeader({ alg: 'HS256', kid: key.publicJwk.kid! }).setIssuer(id).setSubject(id).sign(secret);
    }],
    ['alg none', async (id, key) => {
      const part = (value: object) => base64url.encode(JSON.stringify(value));
      return `${part({ alg: 'none', kid: key.publicJwk.kid })}.${part({ iss: id, sub: id, aud: `${ISSUER}/oauth/token`, exp: Math.floor(Date.now() / 1000) + 60, jti: unique() })}.`;
    }],
  ])('refuses %s', async (_name, make) => {
    const key = await keyPair();
    const client = await pkjClient({ jwks: { keys: [key.publicJwk] } });
    await expectInvalidClient(await clientCredentialsWith(await make(client.id, key, await keyPair())));
  });

  it('refuses a replayed jti, even at another endpoint', async () => {
    const key = await keyPair();
    const client = await pkjClient({ jwks: { keys: [key.publicJwk] } });
    const signed = await assertion(client.id, key, { aud: ISSUER });
    expect((await clientCredentialsWith(signed)).status).toBe(200);
    await expectInvalidClient(await clientCredentialsWith(signed));
    await expectInvalidClient(await call('/oauth/revoke', form(withAssertion(signed, { token: 'x' }))));
  });

  it('accepts only the assertion from such a client, and an assertion only from such a client', async () => {
    const key = await keyPair();
    const client = await pkjClient({ jwks: { keys: [key.publicJwk] } });
    // Its secret (every confidential client row has one) is never accepted.
    await expectInvalidClient(await call('/oauth/token', form({ grant_type: 'client_credentials', audience: API, client_id: client.id, client_secret: 'guess' })));
    // A secret client (the Example API) cannot switch to an assertion.
    const apiKey = await keyPair();
    await expectInvalidClient(await call('/oauth/introspect', form(withAssertion(await assertion('demo-api', apiKey), { token: 'x' }))));
    expect((await call('/oauth/introspect', form({ token: 'x' }, { headers: { Authorization: DEMO_API_BASIC } }))).status).toBe(200);
  });

  it('refuses two methods at once, and a wrong client_assertion_type', async () => {
    const key = await keyPair();
    const client = await pkjClient({ jwks: { keys: [key.publicJwk] } });
    const both = await clientCredentialsWith(await assertion(client.id, key), {}, { Authorization: DEMO_API_BASIC });
    expect(both.status).toBe(400);
    const wrongType = await call('/oauth/token', form({ grant_type: 'client_credentials', client_assertion_type: 'urn:x', client_assertion: await assertion(client.id, key) }));
    expect(wrongType.status).toBe(400);
    const otherId = await clientCredentialsWith(await assertion(client.id, key), { client_id: 'demo-app' });
    expect(otherId.status).toBe(400);
  });
});

describe('private_key_jwt with a jwks_uri', () => {
  it('fetches the keys through the SSRF-defended fetcher and caches them', async () => {
    const key = await keyPair();
    const path = `/jwks/${unique()}.json`;
    await serveDocument(path, { body: JSON.stringify({ keys: [key.publicJwk] }), headers: { 'Content-Type': 'application/jwk-set+json' } });
    const client = await pkjClient({ jwks_uri: `${documentOrigin(SERVER)}${path}` });
    expect((await clientCredentialsWith(await assertion(client.id, key))).status).toBe(200);
    expect((await clientCredentialsWith(await assertion(client.id, key))).status).toBe(200);
    expect(await fetchCount(path, SERVER)).toBe(1);
  });

  it('refuses when the jwks_uri cannot be used (a redirect)', async () => {
    const key = await keyPair();
    const path = `/jwks/${unique()}.json`;
    await serveDocument(path, { status: 301, headers: { Location: 'https://keys.example.com/jwks.json' } });
    const client = await pkjClient({ jwks_uri: `${documentOrigin(SERVER)}${path}` });
    await expectInvalidClient(await clientCredentialsWith(await assertion(client.id, key)));
  });
});

describe('the Management API rules for private_key_jwt', () => {
  it.each([
    ['a public client', { type: 'public', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://keys.example.com/jwks.json' }],
    ['no keys', { type: 'confidential', token_endpoint_auth_method: 'private_key_jwt' }],
    ['both jwks and jwks_uri', { type: 'confidential', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://keys.example.com/j', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] } }],
    ['keys without private_key_jwt', { type: 'confidential', jwks_uri: 'https://keys.example.com/jwks.json' }],
    ['a private key', { type: 'confidential', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }] } }],
    ['a symmetric key', { type: 'confidential', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }],
    ['an http jwks_uri', { type: 'confidential', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://keys.example.com/jwks.json' }],
    ['none on a confidential client', { type: 'confidential', token_endpoint_auth_method: 'none' }],
  ])('refuses %s', async (_name, fields) => {
    const response = await management('POST', '/clients', { name: 'Refused', grant_types: ['client_credentials'], ...fields });
    expect(response.status).toBe(400);
  });
});
