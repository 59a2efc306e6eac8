/**
 * Attacks on sender-constrained tokens (RFC 9449 section 11): a captured proof replayed, a stolen
 * refresh token used with the thief's key, a DPoP token used as a bearer token, forged proofs.
 * Each of these worked before DPoP: the tokens were bearer tokens.
 */
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectTokenResponse } from '../helpers/assertions';
import { dpopKey, dpopProof, expectDpopError, rawJwt, serverNonce, tokenRequest, USERINFO_URL, type DpopKey } from '../helpers/dpop';
import { obtainCode, type IssuedCode } from '../helpers/flow';
import { call } from '../helpers/http';

let device: DpopKey;
let attacker: DpopKey;
let nonce: string;

beforeAll(async () => {
  device = await dpopKey();
  attacker = await dpopKey();
  nonce = await serverNonce(device);
});

const codeBody = (issued: IssuedCode) => ({
  grant_type: 'authorization_code',
  client_id: 'demo-app',
  code: issued.code,
  redirect_uri: issued.redirectUri,
  code_verifier: issued.verifier,
});

/** What the app on the device holds after signing in with its key. */
async function deviceTokens() {
  const issued = await obtainCode({ scope: 'openid read:items offline_access' });
  return expectTokenResponse(await tokenRequest(codeBody(issued), await dpopProof(device, { nonce })));
}

const refreshBody = (refreshToken: string) => ({ grant_type: 'refresh_token', client_id: 'demo-app', refresh_token: refreshToken });

describe('a refresh token stolen from the device (backup, storage)', () => {
  it('is refused with the thief own key (and audited), and without any proof', async () => {
    const { refresh_token } = await deviceTokens();
    const log = vi.spyOn(console, 'log');
    try {
      await expectDpopError(await tokenRequest(refreshBody(refresh_token!), await dpopProof(attacker, { nonce })), 400, 'invalid_grant');
      const audited = log.mock.calls.map((args) => String(args[0])).find((line) => line.includes('"audit":"dpop_key_mismatch"'));
      expect(audited).toContain(`"grantId":"${refresh_token!.split('.')[1]}"`);
    } finally {
      log.mockRestore();
    }
    await expectDpopError(await tokenRequest(refreshBody(refresh_token!), undefined), 400, 'invalid_dpop_proof');
  });
});

describe('a captured request replayed', () => {
  it('at the token endpoint: the same refresh proof is accepted once', async () => {
    const { refresh_token } = await deviceTokens();
    const proof = await dpopProof(device, { nonce });
    const first = await expectTokenResponse(await tokenRequest(refreshBody(refresh_token!), proof));
    // Replayed with the new refresh token (a proof does not cover the body): refused as a replay.
    await expectDpopError(await tokenRequest(refreshBody(first.refresh_token!), proof), 400, 'invalid_dpop_proof');
    // And the family was not ended by the replay: the device refreshes on.
    await expectTokenResponse(await tokenRequest(refreshBody(first.refresh_token!), await dpopProof(device, { nonce })));
  });

  it('at /userinfo: token and proof together are accepted once', async () => {
    const { access_token } = await deviceTokens();
    const headers = {
      Authorization: `DPoP ${access_token}`,
      DPoP: await dpopProof(device, { htm: 'GET', htu: USERINFO_URL, accessToken: access_token, nonce }),
    };
    expect((await call('/userinfo', { headers })).status).toBe(200);
    await expectDpopError(await call('/userinfo', { headers }), 401, 'invalid_dpop_proof');
  });
});

describe('a DPoP-bound access token leaked to a bearer-only path', () => {
  it('is refused as Bearer at /userinfo, with a DPoP challenge', async () => {
    const { access_token } = await deviceTokens();
    expect(decodeJwt(access_token).cnf).toEqual({ jkt: device.jkt });
    await expectDpopError(await call('/userinfo', { headers: { Authorization: `Bearer ${access_token}` } }), 401, 'invalid_token');
  });

  it('is refused with a proof by the attacker key', async () => {
    const { access_token } = await deviceTokens();
    const proof = await dpopProof(attacker, { htm: 'GET', htu: USERINFO_URL, accessToken: access_token, nonce });
    await expectDpopError(await call('/userinfo', { headers: { Authorization: `DPoP ${access_token}`, DPoP: proof } }), 401, 'invalid_token');
  });
});

describe('forged proofs', () => {
  it('refuses alg none, even with the device public key', async () => {
    const { refresh_token } = await deviceTokens();
    const claims = { htm: 'POST', htu: 'https://auth.example.test/oauth/token', iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), nonce };
    const forged = rawJwt({ alg: 'none', typ: 'dpop+jwt', jwk: device.publicJwk }, claims);
    await expectDpopError(await tokenRequest(refreshBody(refresh_token!), forged), 400, 'invalid_dpop_proof');
  });

  it('refuses the device public key with the attacker signature', async () => {
    const { refresh_token } = await deviceTokens();
    const forged = await dpopProof({ ...device, privateKey: attacker.privateKey }, { nonce });
    await expectDpopError(await tokenRequest(refreshBody(refresh_token!), forged), 400, 'invalid_dpop_proof');
  });
});
