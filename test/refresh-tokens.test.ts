import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GrantRecord } from '../src/oauth/grant-record';
import { clearRegistryCache } from '../src/db/registry';
import { introspect, redeem, refresh, signInForTokens, type TokenResponseBody } from './helpers/flow';
import { expectOAuthError, expectTokenResponse } from './helpers/assertions';
import { changeGrant, handleParts } from './helpers/storage';

const OFFLINE = { scope: 'openid read:items offline_access' };

/** The grant a code or refresh token belongs to: `<user id>.<grant id>.<secret>`. */
const grantIdOf = (handle: string) => handle.split('.').slice(0, 2).join('.');

function ageFamily(handle: string, change: (family: NonNullable<GrantRecord['refresh']>) => Partial<NonNullable<GrantRecord['refresh']>>) {
  const { userId, grantId } = handleParts(handle);
  return changeGrant(userId, grantId, (record) => ({ ...record, refresh: { ...record.refresh!, ...change(record.refresh!) } }));
}

describe('refresh tokens: issuance (RFC 6749 section 6)', () => {
  it('issues an opaque 256-bit refresh token for offline_access, of the same grant as the code', async () => {
    const body = await signInForTokens(OFFLINE);
    expect(body.refresh_token).toMatch(/^user_demo\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(grantIdOf(body.refresh_token!)).toBe(grantIdOf(body.issued.code));
    expect(body.scope).toBe('openid read:items offline_access');
  });

  it('issues none without offline_access', async () => {
    expect((await signInForTokens({ scope: 'openid read:items' })).refresh_token).toBeUndefined();
  });

  it('issues none to a client not allowed the refresh_token grant', async () => {
    await env.DB.prepare(
      `INSERT OR IGNORE INTO clients (id, name, type, redirect_uris, grant_types, scopes, audiences)
       VALUES ('no-refresh-app', 'No Refresh', 'public', '["com.example.norefresh:/cb"]', '["authorization_code"]',
               '["offline_access","read:items"]', '["https://api.example.com"]')`,
    ).run();
    const body = await signInForTokens({
      client_id: 'no-refresh-app',
      redirect_uri: 'com.example.norefresh:/cb',
      scope: 'read:items offline_access',
      nonce: undefined,
    });
    expect(body.refresh_token).toBeUndefined();
    await expectOAuthError(await refresh('A'.repeat(22) + '.' + 'B'.repeat(43), { client_id: 'no-refresh-app' }), 400, 'unauthorized_client');
  });
});

describe('refresh tokens: rotation and reuse detection (RFC 9700 section 4.14.2)', () => {
  it('returns new tokens and a new refresh token on every use', async () => {
    const first = await signInForTokens(OFFLINE);
    const second = await expectTokenResponse(await refresh(first.refresh_token!));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(grantIdOf(second.refresh_token!)).toBe(grantIdOf(first.refresh_token!));
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.scope).toBe('openid read:items offline_access');
    // The ID token of a refresh carries no nonce (OIDC Core 12.2) but the original auth_time.
    const idToken = decodeJwt(second.id_token!);
    expect(idToken.nonce).toBeUndefined();
    expect(idToken.auth_time).toBe(decodeJwt(first.id_token!).auth_time);
    const third = await expectTokenResponse(await refresh(second.refresh_token!));
    expect(third.refresh_token).not.toBe(second.refresh_token);
  });

  it('revokes the whole family when a rotated-out token is presented again', async () => {
    const first = await signInForTokens(OFFLINE);
    const second = await expectTokenResponse(await refresh(first.refresh_token!));
    const reuse = await expectOAuthError(await refresh(first.refresh_token!), 400, 'invalid_grant');
    expect(reuse.error_description).toMatch(/revoked/);
    // The thief and the app are both out: the latest token is dead too, and so are its access tokens.
    await expectOAuthError(await refresh(second.refresh_token!), 400, 'invalid_grant');
    expect(await (await introspect(second.access_token)).json()).toEqual({ active: false });
  });

  it('lets exactly one of 10 concurrent refreshes succeed; the others count as reuse and revoke the family', async () => {
    const first = await signInForTokens(OFFLINE);
    const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(first.refresh_token!)));
    const winners = responses.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 200)) await expectOAuthError(loser, 400, 'invalid_grant');
    const won = (await winners[0]!.json()) as TokenResponseBody;
    await expectOAuthError(await refresh(won.refresh_token!), 400, 'invalid_grant');
  });

  it('refuses a refresh token presented by another client, without revoking it', async () => {
    const first = await signInForTokens(OFFLINE);
    await expectOAuthError(await refresh(first.refresh_token!, { client_id: 'other-app' }), 400, 'invalid_grant');
    expect((await refresh(first.refresh_token!)).status).toBe(200);
  });

  it('refuses made-up and malformed refresh tokens', async () => {
    const first = await signInForTokens(OFFLINE);
    await expectOAuthError(await refresh(`${grantIdOf(first.refresh_token!)}.${'Z'.repeat(43)}`), 400, 'invalid_grant');
    await expectOAuthError(await refresh('not-a-token'), 400, 'invalid_grant');
    await expectOAuthError(await refresh(first.issued.code), 400, 'invalid_grant');
    await expectOAuthError(await refresh(first.refresh_token!, { refresh_token: undefined }), 400, 'invalid_request');
    // None of these was a rotated-out token of the family, so it still works.
    expect((await refresh(first.refresh_token!)).status).toBe(200);
  });
});

describe('refresh tokens: scope (RFC 6749 section 6)', () => {
  it('may narrow the scope of the new access token, and the grant keeps its own', async () => {
    const first = await signInForTokens(OFFLINE);
    const narrowed = await expectTokenResponse(await refresh(first.refresh_token!, { scope: 'read:items' }));
    expect(narrowed.scope).toBe('read:items');
    expect(narrowed.id_token).toBeUndefined();
    expect(decodeJwt(narrowed.access_token).scope).toBe('read:items');
    const back = await expectTokenResponse(await refresh(narrowed.refresh_token!));
    expect(back.scope).toBe('openid read:items offline_access');
  });

  it('may not widen it, and a refused widening does not spend the token', async () => {
    const first = await signInForTokens(OFFLINE);
    await expectOAuthError(await refresh(first.refresh_token!, { scope: 'read:items write:items' }), 400, 'invalid_scope');
    await expectOAuthError(await refresh(first.refresh_token!, { scope: 'read:items "' }), 400, 'invalid_scope');
    expect((await refresh(first.refresh_token!)).status).toBe(200);
  });
});

describe('refresh tokens: lifetimes', () => {
  it('expire when unused for the idle lifetime', async () => {
    const first = await signInForTokens(OFFLINE);
    await ageFamily(first.refresh_token!, (family) => ({ lastUsedAt: Date.now() - family.idleTtlMs - 1 }));
    const body = await expectOAuthError(await refresh(first.refresh_token!), 400, 'invalid_grant');
    expect(body.error_description).toMatch(/expired/);
  });

  it('expire at the absolute lifetime however often they are used', async () => {
    const first = await signInForTokens(OFFLINE);
    await ageFamily(first.refresh_token!, () => ({ absoluteExpiresAt: Date.now() - 1 }));
    await expectOAuthError(await refresh(first.refresh_token!), 400, 'invalid_grant');
  });

  it('take the client’s configured lifetimes', async () => {
    const first = await signInForTokens(OFFLINE);
    const { userId, grantId } = handleParts(first.refresh_token!);
    const record = await changeGrant(userId, grantId);
    expect(record!.refresh!.idleTtlMs).toBe(14 * 86_400_000);
    expect(record!.refresh!.absoluteExpiresAt - record!.refresh!.lastUsedAt).toBe(30 * 86_400_000);
    expect(record!.refresh!.leewayMs).toBe(0);
  });
});

describe('refresh tokens: reuse leeway for flaky networks (per client, off by default)', () => {
  beforeAll(async () => {
    await env.DB.prepare(
      `INSERT OR IGNORE INTO clients (id, name, type, redirect_uris, grant_types, scopes, audiences, refresh_token_reuse_leeway_seconds)
       VALUES ('leeway-app', 'Leeway App', 'public', '["com.example.leeway:/cb"]', '["authorization_code","refresh_token"]',
               '["offline_access","read:items"]', '["https://api.example.com"]', 30)`,
    ).run();
    clearRegistryCache();
  });
  const leeway = { client_id: 'leeway-app', redirect_uri: 'com.example.leeway:/cb', scope: 'read:items offline_access', nonce: undefined };

  it('accepts the previous token once more within the leeway, and its replacement after that', async () => {
    const first = await signInForTokens(leeway);
    const lost = await expectTokenResponse(await refresh(first.refresh_token!, { client_id: 'leeway-app' }));
    const retry = await expectTokenResponse(await refresh(first.refresh_token!, { client_id: 'leeway-app' }));
    expect(retry.refresh_token).not.toBe(lost.refresh_token);
    expect((await refresh(retry.refresh_token!, { client_id: 'leeway-app' })).status).toBe(200);
  });

  // Regression (issue 12, finding 6): within a 60 s leeway the superseded token was used five more
  // times, each minting a new token pair. Now it may be used once; the next use is reuse.
  it('accepts the superseded token at most once within the leeway; the second retry revokes the family', async () => {
    const first = await signInForTokens(leeway);
    await expectTokenResponse(await refresh(first.refresh_token!, { client_id: 'leeway-app' }));
    const retry = await expectTokenResponse(await refresh(first.refresh_token!, { client_id: 'leeway-app' }));
    await expectOAuthError(await refresh(first.refresh_token!, { client_id: 'leeway-app' }), 400, 'invalid_grant');
    await expectOAuthError(await refresh(retry.refresh_token!, { client_id: 'leeway-app' }), 400, 'invalid_grant');
  });

  it('treats the previous token as reuse once the leeway has passed', async () => {
    const first = await signInForTokens(leeway);
    const second = await expectTokenResponse(await refresh(first.refresh_token!, { client_id: 'leeway-app' }));
    await ageFamily(first.refresh_token!, (family) => ({ previous: { ...family.previous!, usableUntil: Date.now() - 1 } }));
    await expectOAuthError(await refresh(first.refresh_token!, { client_id: 'leeway-app' }), 400, 'invalid_grant');
    await expectOAuthError(await refresh(second.refresh_token!, { client_id: 'leeway-app' }), 400, 'invalid_grant');
  });
});

describe('replay of an authorization code (RFC 6749 section 4.1.2)', () => {
  it('revokes the grant the first redemption created: its refresh and access tokens stop working', async () => {
    const first = await signInForTokens(OFFLINE);
    expect(await (await introspect(first.access_token)).json()).toMatchObject({ active: true });
    await expectOAuthError(await redeem(first.issued), 400, 'invalid_grant');
    await expectOAuthError(await refresh(first.refresh_token!), 400, 'invalid_grant');
    expect(await (await introspect(first.access_token)).json()).toEqual({ active: false });
  });
});
