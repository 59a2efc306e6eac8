/**
 * RFC 6749 sections 4.1.2 and 10.5, RFC 9700 section 4.5: a code is single-use. A second
 * presentation, sequential or concurrent, is refused and revokes every token the first one produced.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, form } from '../helpers/http';
import { introspect, type IssuedCode, obtainCode, redeem, refresh, startLogin, submitLogin, type TokenResponseBody } from '../helpers/flow';
import { expectErrorPage, expectOAuthError, expectTokenResponse } from '../helpers/assertions';
import { insertUsers } from '../helpers/storage';

const USER = { email: 'replay@example.com', password: 'replay-password' };
const OFFLINE = { scope: 'openid read:items offline_access' };

const code = (overrides = {}) => obtainCode(overrides, { ...USER, ip: '192.0.2.31' });

async function isActive(token: string): Promise<boolean> {
  return ((await (await introspect(token)).json()) as { active: boolean }).active;
}

/** Every token of the grant is dead: refresh refused, access token inactive and refused by /userinfo. */
async function expectGrantRevoked(tokens: TokenResponseBody): Promise<void> {
  await expectOAuthError(await refresh(tokens.refresh_token!), 400, 'invalid_grant');
  expect(await isActive(tokens.access_token)).toBe(false);
  const userinfo = await call('/userinfo', { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  expect(userinfo.status).toBe(401);
}

function redeemJson(issued: IssuedCode): Promise<Response> {
  return call('/oauth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'authorization_code', client_id: 'demo-app', code: issued.code, redirect_uri: issued.redirectUri, code_verifier: issued.verifier }),
  });
}

beforeAll(async () => {
  await insertUsers({ [USER.email]: USER.password });
});

describe('sequential replay of a code (RFC 6749 section 4.1.2)', () => {
  it('the replay answers like an unknown code, so it reveals nothing', async () => {
    const issued = await code();
    expect((await redeem(issued)).status).toBe(200);
    const replayed = await expectOAuthError(await redeem(issued), 400, 'invalid_grant');
    const unknown = await expectOAuthError(await redeem({ ...issued, code: `${issued.code.split('.').slice(0, 2).join('.')}.${'Q'.repeat(43)}` }), 400, 'invalid_grant');
    expect(replayed.error_description).toBe(unknown.error_description);
  });

  it('revokes the grant: refresh token, access token and /userinfo all stop working', async () => {
    const issued = await code(OFFLINE);
    const tokens = await expectTokenResponse(await redeem(issued));
    expect(await isActive(tokens.access_token)).toBe(true);
    await expectOAuthError(await redeem(issued), 400, 'invalid_grant');
    await expectGrantRevoked(tokens);
  });

  it('revokes the tokens rotated since the first redemption too', async () => {
    const issued = await code(OFFLINE);
    const first = await expectTokenResponse(await redeem(issued));
    const rotated = await expectTokenResponse(await refresh(first.refresh_token!));
    await expectOAuthError(await redeem(issued), 400, 'invalid_grant');
    await expectGrantRevoked(rotated);
  });

  it.each([
    ['another client', { client_id: 'other-app' }],
    ['a wrong verifier', { code_verifier: 'w'.repeat(43) }],
    ['another redirect URI', { redirect_uri: 'http://127.0.0.1/callback' }],
  ])('a replay with %s still revokes the grant', async (_name, overrides) => {
    const issued = await code(OFFLINE);
    const tokens = await expectTokenResponse(await redeem(issued));
    await expectOAuthError(await redeem(issued, overrides), 400, 'invalid_grant');
    await expectGrantRevoked(tokens);
  });

  // A public client's request without a verifier is malformed and refused before the code is
  // touched (issue 18), so it is no presentation of the code: it neither redeems nor revokes. A
  // thief without the verifier gains nothing from it; one with a guessed verifier is a replay.
  it('a request with no verifier is refused as malformed and leaves the grant alone', async () => {
    const issued = await code(OFFLINE);
    const tokens = await expectTokenResponse(await redeem(issued));
    await expectOAuthError(await redeem(issued, { code_verifier: undefined }), 400, 'invalid_request');
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);
  });

  it('a replay as JSON is a replay', async () => {
    const issued = await code(OFFLINE);
    const tokens = await expectTokenResponse(await redeem(issued));
    await expectOAuthError(await redeemJson(issued), 400, 'invalid_grant');
    await expectGrantRevoked(tokens);
  });

  it('ten replays are all refused and the grant stays revoked', async () => {
    const issued = await code(OFFLINE);
    const tokens = await expectTokenResponse(await redeem(issued));
    for (let i = 0; i < 10; i++) await expectOAuthError(await redeem(issued), 400, 'invalid_grant');
    await expectGrantRevoked(tokens);
  });
});

describe('concurrent replay of a code (single use must be atomic)', () => {
  it('of 50 concurrent redemptions exactly one wins, and the 49 late ones revoke what it won', async () => {
    const issued = await code(OFFLINE);
    const responses = await Promise.all(Array.from({ length: 50 }, () => redeem(issued)));
    const winners = responses.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 200)) await expectOAuthError(loser, 400, 'invalid_grant');
    // Every loser reached the grant after the winner: each one is a replay.
    await expectGrantRevoked(await expectTokenResponse(winners[0]!));
  });

  it('of 50 concurrent redemptions mixing form and JSON bodies exactly one wins', async () => {
    const issued = await code();
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? redeem(issued) : redeemJson(issued))));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 400)).toHaveLength(49);
  });

  it('of 20 concurrent sign-ins with one pending request exactly one gets a code (one code per request, ever)', async () => {
    const pending = await startLogin();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => submitLogin(pending, USER, { 'CF-Connecting-IP': `192.0.2.${100 + i}` })),
    );
    const codes = responses.filter((r) => r.status === 303);
    expect(codes).toHaveLength(1);
    // The rest are refused: the request already has its code (400 page), or, past five attempts
    // in flight at once, the account's throttle counted them first (401, the generic answer).
    for (const refused of responses.filter((r) => r.status !== 303)) {
      if (refused.status === 401) expect(await refused.text()).toContain('Incorrect email or password.');
      else await expectErrorPage(refused);
    }
    // And that one code redeems once.
    const location = new URL(codes[0]!.headers.get('Location')!);
    const issued = { code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: pending.params.redirect_uri!, location };
    expect((await redeem(issued)).status).toBe(200);
  });

  it('of 20 concurrent refreshes of one token at most one wins, and the family is revoked', async () => {
    const tokens = await expectTokenResponse(await redeem(await code(OFFLINE)));
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(tokens.refresh_token!)));
    const winners = responses.filter((r) => r.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    for (const winner of winners) await expectGrantRevoked(await expectTokenResponse(winner));
  });
});

describe('replay through the revocation endpoint', () => {
  it('a revoked grant cannot be revived by redeeming its code again', async () => {
    const issued = await code(OFFLINE);
    const tokens = await expectTokenResponse(await redeem(issued));
    expect((await call('/oauth/revoke', form({ token: tokens.refresh_token!, client_id: 'demo-app' }))).status).toBe(200);
    await expectOAuthError(await redeem(issued), 400, 'invalid_grant');
    await expectGrantRevoked(tokens);
  });
});
