/**
 * DPoP (RFC 9449) at the token endpoint and at /userinfo: every check of a proof, the nonce, the
 * binding of tokens, refresh families and codes to the app's key. Attacks: test/attacks/dpop.test.ts.
 */
import { env } from 'cloudflare:workers';
import { decodeJwt, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectTokenResponse, expectErrorRedirect } from './helpers/assertions';
import { MANAGEMENT_AUDIENCE } from '../src/oauth/management-api';
import { ISSUER } from './helpers/fixtures';
import { authorizePath, defaultAuthorization, introspect, obtainCode, openLogin, push, pushedAuthorizePath, submitLogin, type IssuedCode } from './helpers/flow';
import { freshIp } from './helpers/values';
import { basic, call } from './helpers/http';
import { dpopKey, dpopProof, expectDpopError, rawJwt, serverNonce, tokenRequest, USERINFO_URL, type DpopKey, type ProofOptions } from './helpers/dpop';

const OFFLINE = { scope: 'openid read:items offline_access' };

let key: DpopKey;
let nonce: string;

beforeAll(async () => {
  key = await dpopKey();
  nonce = await serverNonce(key);
});

function codeBody(issued: IssuedCode): Record<string, string> {
  return { grant_type: 'authorization_code', client_id: 'demo-app', code: issued.code, redirect_uri: issued.redirectUri, code_verifier: issued.verifier };
}

/** Signs in and redeems the code with a proof by `by` (the suite's key by default). */
async function dpopTokens(by: DpopKey = key, overrides: Record<string, string | undefined> = OFFLINE) {
  const issued = await obtainCode(overrides);
  return expectTokenResponse(await tokenRequest(codeBody(issued), await dpopProof(by, { nonce })));
}

/** A token request a proof with these changes is refused for; the code is a fresh, valid one. */
async function redeemWith(options: ProofOptions, by: DpopKey = key): Promise<Response> {
  return tokenRequest(codeBody(await obtainCode()), await dpopProof(by, { nonce, ...options }));
}

describe('DPoP at the token endpoint (RFC 9449 section 5)', () => {
  it('binds the access token to the key: cnf.jkt, token_type DPoP, and a fresh nonce', async () => {
    const issued = await obtainCode(OFFLINE);
    const response = await tokenRequest(codeBody(issued), await dpopProof(key, { nonce }));
    expect(response.headers.get('DPoP-Nonce')).toBeTruthy();
    const tokens = await expectTokenResponse(response);
    expect(tokens.token_type).toBe('DPoP');
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('still issues bearer tokens without a proof', async () => {
    const issued = await obtainCode();
    const tokens = await expectTokenResponse(await tokenRequest(codeBody(issued), undefined));
    expect(tokens.token_type).toBe('Bearer');
    expect(decodeJwt(tokens.access_token).cnf).toBeUndefined();
  });

  it.each(['EdDSA', 'RS256'] as const)('accepts %s proofs', async (alg) => {
    const other = await dpopKey(alg);
    const tokens = await dpopTokens(other);
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: other.jkt });
  });

  it('asks for a nonce with use_dpop_nonce and a DPoP-Nonce header, and accepts the retry', async () => {
    const issued = await obtainCode();
    const first = await tokenRequest(codeBody(issued), await dpopProof(key));
    await expectDpopError(first, 400, 'use_dpop_nonce');
    // The code was not spent by the nonce round.
    const retry = await tokenRequest(codeBody(issued), await dpopProof(key, { nonce: first.headers.get('DPoP-Nonce')! }));
    expect((await expectTokenResponse(retry)).token_type).toBe('DPoP');
  });

  it.each([
    ['a nonce that is not ours', 'A'.repeat(60)],
    ['a nonce sealed for something else', 'x'],
  ])('refuses %s with use_dpop_nonce', async (_name, value) => {
    await expectDpopError(await redeemWith({ nonce: value }), 400, 'use_dpop_nonce');
  });

  it.each<[string, ProofOptions]>([
    ['another method (htm)', { htm: 'GET' }],
    ['another endpoint (htu)', { htu: `${ISSUER}/oauth/revoke` }],
    ['another host (htu)', { htu: 'https://evil.example/oauth/token' }],
    ['an htu that is not a URL', { htu: 'token' }],
    ['an iat 61 seconds old', { claims: { iat: Math.floor(Date.now() / 1000) - 61 } }],
    ['an iat 30 seconds ahead', { claims: { iat: Math.floor(Date.now() / 1000) + 30 } }],
    ['no iat', { claims: { iat: undefined } }],
    ['no jti', { claims: { jti: undefined } }],
    ['an empty jti', { claims: { jti: '' } }],
    ['a jti of 129 characters', { claims: { jti: 'j'.repeat(129) } }],
    ['typ JWT', { header: { typ: 'JWT' } }],
    ['no jwk', { header: { jwk: undefined } }],
  ])('refuses a proof with %s (invalid_dpop_proof)', async (_name, options) => {
    await expectDpopError(await redeemWith(options), 400, 'invalid_dpop_proof');
  });

  it('ignores the query and fragment of htu (section 4.3)', async () => {
    const response = await redeemWith({ htu: `${ISSUER}/oauth/token?x=1#y` });
    expect((await expectTokenResponse(response)).token_type).toBe('DPoP');
  });

  it('refuses a proof whose jwk holds the private key', async () => {
    const { exportJWK, generateKeyPair } = await import('jose');
    const pair = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(pair.privateKey);
    const proof = await dpopProof({ ...key, privateKey: pair.privateKey }, { nonce, header: { jwk: privateJwk } });
    await expectDpopError(await tokenRequest(codeBody(await obtainCode()), proof), 400, 'invalid_dpop_proof');
  });

  it('refuses alg none and HMAC proofs', async () => {
    const claims = { htm: 'POST', htu: `${ISSUER}/oauth/token`, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), nonce };
    const none = rawJwt({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk }, claims);
    await expectDpopError(await tokenRequest(codeBody(await obtainCode()), none), 400, 'invalid_dpop_proof');
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const { base64url } = await import('jose');
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: base64url.encode(secret) } } as never)
      .sign(secret);
    await expectDpopError(await tokenRequest(codeBody(await obtainCode()), hmac), 400, 'invalid_dpop_proof');
  });

  it('refuses a proof not signed by its jwk', async () => {
    const other = await dpopKey();
    const proof = await dpopProof({ ...key, privateKey: other.privateKey }, { nonce });
    await expectDpopError(await tokenRequest(codeBody(await obtainCode()), proof), 400, 'invalid_dpop_proof');
  });

  it('refuses two DPoP headers', async () => {
    const issued = await obtainCode();
    const headers = new Headers({ 'Content-Type': 'application/x-www-form-urlencoded' });
    headers.append('DPoP', await dpopProof(key, { nonce }));
    headers.append('DPoP', await dpopProof(key, { nonce }));
    const response = await call('/oauth/token', { method: 'POST', headers, body: new URLSearchParams(codeBody(issued)).toString() });
    await expectDpopError(response, 400, 'invalid_dpop_proof');
  });

  it('binds client credentials tokens too, which the Management API then takes only as DPoP', async () => {
    const response = await tokenRequest({ grant_type: 'client_credentials', audience: MANAGEMENT_AUDIENCE }, await dpopProof(key, { nonce }), {
      Authorization: basic('dev-admin', 'dev-admin-secret'),
    });
    const tokens = await expectTokenResponse(response);
    expect(tokens.token_type).toBe('DPoP');
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
    const url = `${ISSUER}/api/v1/clients`;
    const asDpop = await call('/api/v1/clients', {
      headers: { Authorization: `DPoP ${tokens.access_token}`, DPoP: await dpopProof(key, { htm: 'GET', htu: url, accessToken: tokens.access_token, nonce }) },
    });
    expect(asDpop.status).toBe(200);
    await expectDpopError(await call('/api/v1/clients', { headers: { Authorization: `Bearer ${tokens.access_token}` } }), 401, 'invalid_token');
  });
});

describe('a client registered with dpop_bound_access_tokens (section 5.2)', () => {
  it('must send a proof with every token request', async () => {
    await env.DB.prepare(
      `INSERT OR IGNORE INTO clients (id, name, type, redirect_uris, grant_types, scopes, audiences, dpop_bound_access_tokens)
       VALUES ('dpop-app', 'DPoP App', 'public', '["com.example.dpop:/cb"]', '["authorization_code","refresh_token"]',
               '["openid","read:items"]', '["https://api.example.com"]', 1)`,
    ).run();
    const overrides = { client_id: 'dpop-app', redirect_uri: 'com.example.dpop:/cb', scope: 'openid read:items' };
    const body = { ...codeBody(await obtainCode(overrides)), client_id: 'dpop-app' };
    await expectDpopError(await tokenRequest(body, undefined), 400, 'invalid_dpop_proof');
    // The refusal did not spend the code: the proof is checked first.
    expect((await expectTokenResponse(await tokenRequest(body, await dpopProof(key, { nonce })))).token_type).toBe('DPoP');
  });
});

describe('refresh tokens of public clients are bound to the key for life (section 5)', () => {
  it('refreshes with the same key, and binds the new access token to it', async () => {
    const first = await dpopTokens();
    const body = { grant_type: 'refresh_token', client_id: 'demo-app', refresh_token: first.refresh_token! };
    const second = await expectTokenResponse(await tokenRequest(body, await dpopProof(key, { nonce })));
    expect(second.token_type).toBe('DPoP');
    expect(decodeJwt(second.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('refuses a refresh without a proof or with another key, and the family lives on', async () => {
    const first = await dpopTokens();
    const body = { grant_type: 'refresh_token', client_id: 'demo-app', refresh_token: first.refresh_token! };
    await expectDpopError(await tokenRequest(body, undefined), 400, 'invalid_dpop_proof');
    const thief = await dpopKey();
    await expectDpopError(await tokenRequest(body, await dpopProof(thief, { nonce })), 400, 'invalid_grant');
    // The owner's next refresh still works: the refusals neither rotated nor revoked the family.
    await expectTokenResponse(await tokenRequest(body, await dpopProof(key, { nonce })));
  });
});

describe('dpop_jkt binds the code (section 10)', () => {
  async function boundCode(jkt: string) {
    return obtainCode({ dpop_jkt: jkt });
  }

  it('redeems the code with a proof by that key', async () => {
    const issued = await boundCode(key.jkt);
    const tokens = await expectTokenResponse(await tokenRequest(codeBody(issued), await dpopProof(key, { nonce })));
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('refuses it with another key or without a proof, and spends it', async () => {
    const issued = await boundCode(key.jkt);
    await expectDpopError(await tokenRequest(codeBody(issued), await dpopProof(await dpopKey(), { nonce })), 400, 'invalid_grant');
    await expectDpopError(await tokenRequest(codeBody(issued), await dpopProof(key, { nonce })), 400, 'invalid_grant');
    const unproved = await boundCode(key.jkt);
    await expectDpopError(await tokenRequest(codeBody(unproved), undefined), 400, 'invalid_grant');
  });

  it('refuses a malformed dpop_jkt at /authorize', async () => {
    const { params } = await defaultAuthorization({ dpop_jkt: 'short' });
    expectErrorRedirect(await call(authorizePath(params)), 'invalid_request', { redirectUri: params.redirect_uri! });
  });
});

describe('DPoP at /userinfo (section 7)', () => {
  const userinfo = (accessToken: string, proof: string | undefined, scheme = 'DPoP') =>
    call('/userinfo', { headers: { Authorization: `${scheme} ${accessToken}`, ...(proof !== undefined && { DPoP: proof }) } });

  it('answers a DPoP token with a proof for it, with the next nonce', async () => {
    const { access_token } = await dpopTokens();
    const response = await userinfo(access_token, await dpopProof(key, { htm: 'GET', htu: USERINFO_URL, accessToken: access_token, nonce }));
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get('DPoP-Nonce')).toBeTruthy();
    expect(((await response.json()) as { sub: string }).sub).toBe('user_demo');
  });

  it('asks for a nonce', async () => {
    const { access_token } = await dpopTokens();
    await expectDpopError(await userinfo(access_token, await dpopProof(key, { htm: 'GET', htu: USERINFO_URL, accessToken: access_token })), 401, 'use_dpop_nonce');
  });

  it.each<[string, ProofOptions]>([
    ['without ath', { accessToken: undefined }],
    ['with the ath of another token', { accessToken: 'another-token' }],
    ['made for the token endpoint', { htu: `${ISSUER}/oauth/token` }],
    ['made for POST', { htm: 'POST' }],
  ])('refuses a proof %s', async (_name, options) => {
    const { access_token } = await dpopTokens();
    const proof = await dpopProof(key, { htm: 'GET', htu: USERINFO_URL, accessToken: access_token, nonce, ...options });
    await expectDpopError(await userinfo(access_token, proof), 401, 'invalid_dpop_proof');
  });

  it('refuses the DPoP scheme without a proof', async () => {
    const { access_token } = await dpopTokens();
    await expectDpopError(await userinfo(access_token, undefined), 401, 'invalid_dpop_proof');
  });

  it('refuses a bearer token sent with the DPoP scheme', async () => {
    const issued = await obtainCode();
    const { access_token } = await expectTokenResponse(await tokenRequest(codeBody(issued), undefined));
    const proof = await dpopProof(key, { htm: 'GET', htu: USERINFO_URL, accessToken: access_token, nonce });
    await expectDpopError(await userinfo(access_token, proof), 401, 'invalid_token');
  });

  it('introspection returns cnf and token_type DPoP', async () => {
    const { access_token } = await dpopTokens();
    const body = (await (await introspect(access_token)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
  });

  it('lets browser-based clients read DPoP-Nonce and the challenge (CORS)', async () => {
    const response = await call('/userinfo', { headers: { Origin: 'https://spa.example' } });
    expect(response.headers.get('Access-Control-Expose-Headers')).toBe('DPoP-Nonce,WWW-Authenticate');
  });

  it('discovery advertises the proof algorithms', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const metadata = (await (await call(path)).json()) as Record<string, unknown>;
      expect(metadata.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'RS256']);
    }
  });
});

describe('a proof sent to /par binds the code, as dpop_jkt does (section 10.1)', () => {
  const PAR_URL = `${ISSUER}/par`;

  async function pushedCode(proof: string | undefined, overrides: Record<string, string> = {}) {
    const { params, verifier } = await defaultAuthorization(overrides);
    const pushed = await push(params, proof === undefined ? {} : { DPoP: proof });
    return { pushed, params, verifier };
  }

  async function codeFor(requestUri: string, verifier: string, params: Record<string, string | undefined>): Promise<IssuedCode> {
    const pending = await openLogin(await call(pushedAuthorizePath('demo-app', requestUri)), verifier, params);
    const location = new URL((await submitLogin(pending, {}, { 'CF-Connecting-IP': freshIp() })).headers.get('Location')!);
    return { code: location.searchParams.get('code')!, verifier, redirectUri: params.redirect_uri!, location };
  }

  it('binds the code to the proof’s key: redeemed with that key, refused with another', async () => {
    const { pushed, params, verifier } = await pushedCode(await dpopProof(key, { htu: PAR_URL, nonce }));
    expect(pushed.status).toBe(201);
    expect(pushed.headers.get('DPoP-Nonce')).toBeTruthy();
    const { request_uri } = (await pushed.json()) as { request_uri: string };
    const issued = await codeFor(request_uri, verifier, params);
    await expectDpopError(await tokenRequest(codeBody(issued), await dpopProof(await dpopKey(), { nonce })), 400, 'invalid_grant');

    const again = await pushedCode(await dpopProof(key, { htu: PAR_URL, nonce }));
    const second = await codeFor(((await again.pushed.json()) as { request_uri: string }).request_uri, again.verifier, again.params);
    const tokens = await expectTokenResponse(await tokenRequest(codeBody(second), await dpopProof(key, { nonce })));
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('refuses a proof by another key than the pushed dpop_jkt names, and a proof made for another endpoint', async () => {
    const other = await dpopKey();
    await expectDpopError((await pushedCode(await dpopProof(key, { htu: PAR_URL, nonce }), { dpop_jkt: other.jkt })).pushed, 400, 'invalid_dpop_proof');
    await expectDpopError((await pushedCode(await dpopProof(key, { nonce }))).pushed, 400, 'invalid_dpop_proof');
  });
});
