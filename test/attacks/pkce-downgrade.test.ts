/**
 * RFC 9700 section 4.8 (PKCE downgrade) and section 2.1.1, RFC 7636: public clients must use PKCE
 * with S256; a code issued without a challenge cannot later be redeemed with a verifier, and a code
 * issued with one cannot be redeemed without it. Refusals at /authorize go back to the app (the
 * client and redirect URI are trusted by then) with `iss`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Base64url } from '../../src/crypto/hash';
import { call, form } from '../helpers/http';
import { authorizePath, defaultAuthorization, type IssuedCode, obtainCode, pkcePair, redeem } from '../helpers/flow';
import { expectErrorRedirect, expectOAuthError, expectTokenResponse } from '../helpers/assertions';
import { insertClient, insertUsers } from '../helpers/storage';

const USER = { email: 'pkce@example.com', password: 'pkce-password' };
const WEB = { client_id: 'pkce-web', redirect_uri: 'https://pkce-web.example/callback', scope: 'read:items', nonce: undefined };
const WEB_BASIC = { Authorization: `Basic ${btoa('pkce-web:pkce-web-secret')}` };
const NO_PKCE = { code_challenge: undefined, code_challenge_method: undefined };

const code = (overrides = {}) => obtainCode(overrides, { ...USER, ip: '192.0.2.41' });

function redeemConfidential(issued: IssuedCode, fields: Record<string, string>, headers: Record<string, string> = WEB_BASIC) {
  return call('/oauth/token', form({ grant_type: 'authorization_code', code: issued.code, redirect_uri: issued.redirectUri, ...fields }, { headers }));
}

beforeAll(async () => {
  await insertUsers({ [USER.email]: USER.password });
  await insertClient({
    id: 'pkce-web',
    type: 'confidential',
    secretHash: await sha256Base64url('pkce-web-secret'),
    redirectUris: [WEB.redirect_uri],
    grantTypes: ['authorization_code'],
    scopes: ['read:items'],
  });
});

describe('a public client must send an S256 challenge (RFC 9700 section 2.1.1)', () => {
  it.each([
    ['no challenge and no method', NO_PKCE],
    ['no challenge but method S256', { code_challenge: undefined }],
    ['an empty challenge (treated as omitted)', { code_challenge: '' }],
    ['an empty challenge and an empty method', { code_challenge: '', code_challenge_method: '' }],
    ['method plain', { code_challenge_method: 'plain' }],
    ['no method, which means plain (RFC 7636 section 4.3)', { code_challenge_method: undefined }],
    ['an empty method, which means plain', { code_challenge_method: '' }],
    ['method PLAIN', { code_challenge_method: 'PLAIN' }],
    ['method s256 in lower case', { code_challenge_method: 's256' }],
    ['method "S256 " with a space', { code_challenge_method: 'S256 ' }],
    ['method " S256"', { code_challenge_method: ' S256' }],
    ['method S384', { code_challenge_method: 'S384' }],
    ['method S512', { code_challenge_method: 'S512' }],
    ['method none', { code_challenge_method: 'none' }],
    ['a challenge of spaces', { code_challenge: ' '.repeat(43) }],
    ['a standard-base64 challenge', { code_challenge: `${'A'.repeat(41)}+/` }],
    ['a padded challenge', { code_challenge: `${'A'.repeat(43)}=` }],
    ['a 128-character challenge (a plain verifier)', { code_challenge: 'A'.repeat(128) }],
    ['a hex SHA-256 challenge', { code_challenge: 'a'.repeat(64) }],
  ])('refuses %s with invalid_request, and iss', async (_name, overrides) => {
    const { params } = await defaultAuthorization(overrides);
    const error = expectErrorRedirect(await call(authorizePath(params)), 'invalid_request');
    expect(error.get('state')).toBe('state-123');
  });

  it('refuses a repeated method, even S256 twice or S256 then plain', async () => {
    const { params } = await defaultAuthorization();
    for (const extra of ['S256', 'plain']) {
      expectErrorRedirect(await call(`${authorizePath(params)}&code_challenge_method=${extra}`), 'invalid_request');
    }
  });

  it('metadata advertises S256 only', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const metadata = (await (await call(path)).json()) as { code_challenge_methods_supported: string[] };
      expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    }
  });
});

describe('a code issued with a challenge needs its verifier (RFC 7636 section 4.6)', () => {
  // Issue 18: a public client's request without a verifier used to spend the code, so the app's
  // retry got "already used". It is malformed (PKCE is required of public clients) and refused
  // before the code is touched; the verifier, 256 random bits, cannot be guessed on a retry.
  it.each([
    ['no verifier', { code_verifier: undefined }],
    ['an empty verifier (treated as omitted)', { code_verifier: '' }],
  ])('refuses %s before the code is touched: the app can still redeem it', async (_name, overrides) => {
    const issued = await code();
    const body = await expectOAuthError(await redeem(issued, overrides), 400, 'invalid_request');
    expect(body.error_description).toMatch(/code_verifier is required.*not used/);
    await expectTokenResponse(await redeem(issued));
  });

  it('refuses the challenge itself presented as the verifier (plain semantics under S256)', async () => {
    const { challenge } = await pkcePair();
    const issued = await code({ code_challenge: challenge });
    await expectOAuthError(await redeem({ ...issued, verifier: challenge }), 400, 'invalid_grant');
  });

  it('refuses a verifier one character off, and one with its case flipped', async () => {
    const oneOff = await code();
    const last = oneOff.verifier.at(-1) === 'A' ? 'B' : 'A';
    await expectOAuthError(await redeem({ ...oneOff, verifier: `${oneOff.verifier.slice(0, -1)}${last}` }), 400, 'invalid_grant');
    const flipped = await code();
    const swapped = [...flipped.verifier].map((ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())).join('');
    await expectOAuthError(await redeem({ ...flipped, verifier: swapped }), 400, 'invalid_grant');
  });

  it('refuses the verifier with 128 characters appended to it', async () => {
    const issued = await code();
    await expectOAuthError(await redeem({ ...issued, verifier: `${issued.verifier}${'a'.repeat(128 - issued.verifier.length)}` }), 400, 'invalid_grant');
  });

  it.each([
    ['42 characters', 'a'.repeat(42)],
    ['129 characters', 'a'.repeat(129)],
    ['a plus sign', `${'a'.repeat(42)}+`],
    ['a slash', `${'a'.repeat(42)}/`],
    ['padding', `${'a'.repeat(42)}=`],
    ['a space', `${'a'.repeat(42)} `],
    ['a non-ASCII letter', `${'a'.repeat(42)}é`],
    ['a NUL byte', `${'a'.repeat(42)}\u0000`],
  ])('refuses a malformed verifier (%s) with invalid_request before the code is spent', async (_name, verifier) => {
    const issued = await code();
    await expectOAuthError(await redeem(issued, { code_verifier: verifier }), 400, 'invalid_request');
    expect((await redeem(issued)).status).toBe(200);
  });

  it('a confidential client that used PKCE must present the verifier: without it the code is spent', async () => {
    const issued = await code(WEB);
    await expectOAuthError(await redeemConfidential(issued, {}), 400, 'invalid_grant');
    await expectOAuthError(await redeemConfidential(issued, { code_verifier: issued.verifier }), 400, 'invalid_grant');
  });
});

describe('a code issued without a challenge takes no verifier (RFC 9700 section 4.8.2)', () => {
  it('a confidential client may skip PKCE and redeem without a verifier', async () => {
    const issued = await code({ ...WEB, ...NO_PKCE });
    expect((await redeemConfidential(issued, {})).status).toBe(200);
  });

  it.each([
    ['Basic', WEB_BASIC, {}],
    ['client_secret_post', {}, { client_id: 'pkce-web', client_secret: 'pkce-web-secret' }],
  ])('refuses a verifier for such a code (%s), and the code is spent for the retry without one', async (_name, headers, fields) => {
    const issued = await code({ ...WEB, ...NO_PKCE });
    const { verifier } = await pkcePair();
    const body = await expectOAuthError(await redeemConfidential(issued, { ...fields, code_verifier: verifier }, headers), 400, 'invalid_grant');
    expect(body.error_description).toMatch(/not issued with PKCE/);
    await expectOAuthError(await redeemConfidential(issued, fields, headers), 400, 'invalid_grant');
  });

  it('refuses a verifier for such a code sent as JSON', async () => {
    const issued = await code({ ...WEB, ...NO_PKCE });
    const { verifier } = await pkcePair();
    const response = await call('/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...WEB_BASIC },
      body: JSON.stringify({ grant_type: 'authorization_code', code: issued.code, redirect_uri: issued.redirectUri, code_verifier: verifier }),
    });
    await expectOAuthError(response, 400, 'invalid_grant');
  });

  it('a confidential client may not send a method without a challenge', async () => {
    const { params } = await defaultAuthorization({ ...WEB, code_challenge: undefined });
    expectErrorRedirect(await call(authorizePath(params)), 'invalid_request', { redirectUri: WEB.redirect_uri });
  });

  it('a confidential client that sends a challenge is held to S256', async () => {
    const { params } = await defaultAuthorization({ ...WEB, code_challenge_method: 'plain' });
    expectErrorRedirect(await call(authorizePath(params)), 'invalid_request', { redirectUri: WEB.redirect_uri });
  });
});
