/**
 * DPoP end to end over HTTP (RFC 9449), with oauth4webapi as the app: a non-extractable key, as in
 * a Secure Enclave; the code exchange, a refresh and /userinfo, each retried once on
 * `use_dpop_nonce` as the library expects an app to; and the tokens useless to another key.
 */
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerServer, type WorkerServer } from './worker-server';

const CLIENT: oauth.Client = { client_id: 'demo-app' };
const REDIRECT_URI = 'com.example.demo:/callback';
const LOOPBACK_HTTP = { [oauth.allowInsecureRequests]: true } as const;

let server: WorkerServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  server = await startWorkerServer();
  const issuer = new URL(server.issuer);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...LOOPBACK_HTTP }));
});

afterAll(async () => {
  await server?.close();
});

/** Sends the request; on `use_dpop_nonce` (the handle has cached the nonce) sends it once more. */
async function withNonceRetry<T>(send: () => Promise<Response>, process: (response: Response) => Promise<T>): Promise<T> {
  try {
    return await process(await send());
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    return process(await send());
  }
}

/** The browser part, short: authorize, sign in with the password, read the code off the redirect. */
async function signIn(extra: Record<string, string> = {}) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: CLIENT.client_id,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid read:items offline_access',
    audience: 'https://api.example.com',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  const authorized = await fetch(url, { redirect: 'manual' });
  const cookie = authorized.headers.getSetCookie()[0]!.split(';')[0]!;
  const loginUrl = new URL(authorized.headers.get('Location')!, url);
  const html = await (await fetch(loginUrl, { headers: { Cookie: cookie } })).text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)![1]!;
  const submitted = await fetch(loginUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookie },
    body: new URLSearchParams({ request_id: requestId, email: 'demo@example.com', password: 'demo-password' }),
  });
  expect(submitted.status).toBe(303);
  const callback = oauth.validateAuthResponse(as, CLIENT, new URL(submitted.headers.get('Location')!), state);
  return { callback, codeVerifier };
}

async function thumbprint(keyPair: CryptoKeyPair): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
}

describe('an app with a device-bound key (DPoP, oauth4webapi)', () => {
  it('signs in, refreshes and calls /userinfo with DPoP-bound tokens', async () => {
    const keyPair = await oauth.generateKeyPair('ES256', { extractable: false });
    expect(keyPair.privateKey.extractable).toBe(false);
    const DPoP = oauth.DPoP(CLIENT, keyPair);
    const jkt = await thumbprint(keyPair);
    expect(as.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'RS256']);

    const { callback, codeVerifier } = await signIn({ dpop_jkt: jkt });
    const tokens = await withNonceRetry(
      () => oauth.authorizationCodeGrantRequest(as, CLIENT, oauth.None(), callback, REDIRECT_URI, codeVerifier, { DPoP, ...LOOPBACK_HTTP }),
      (response) => oauth.processAuthorizationCodeResponse(as, CLIENT, response, { requireIdToken: true }),
    );
    expect(tokens.token_type).toBe('dpop');
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt });

    const refreshed = await withNonceRetry(
      () => oauth.refreshTokenGrantRequest(as, CLIENT, oauth.None(), tokens.refresh_token!, { DPoP, ...LOOPBACK_HTTP }),
      (response) => oauth.processRefreshTokenResponse(as, CLIENT, response),
    );
    expect(refreshed.token_type).toBe('dpop');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const claims = await withNonceRetry(
      () => oauth.userInfoRequest(as, CLIENT, refreshed.access_token, { DPoP, ...LOOPBACK_HTTP }),
      (response) => oauth.processUserInfoResponse(as, CLIENT, 'user_demo', response),
    );
    expect(claims.sub).toBe('user_demo');

    // The same tokens in another app's hands, with its own key: refused.
    const thief = oauth.DPoP(CLIENT, await oauth.generateKeyPair('ES256'));
    await expect(
      withNonceRetry(
        () => oauth.refreshTokenGrantRequest(as, CLIENT, oauth.None(), refreshed.refresh_token!, { DPoP: thief, ...LOOPBACK_HTTP }),
        (response) => oauth.processRefreshTokenResponse(as, CLIENT, response),
      ),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    const asBearer = await fetch(as.userinfo_endpoint!, { headers: { Authorization: `Bearer ${refreshed.access_token}` } });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('WWW-Authenticate')).toMatch(/^DPoP /);
  });
});
