import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getSigningKey } from '../src/tokens/key-cache';
import { signAccessToken } from '../src/crypto/jwt';
import { DEMO_API_BASIC, ISSUER } from './helpers/fixtures';
import { basic, call, form } from './helpers/http';
import { introspect, redeemForTokens, refresh, signIn, signInForTokens } from './helpers/flow';
import { expectOAuthError } from './helpers/assertions';
import { createClient } from './helpers/management';

const OFFLINE = { scope: 'openid read:items offline_access' };

function revoke(token: string, fields: Record<string, string> = { client_id: 'demo-app' }, headers: Record<string, string> = {}) {
  return call('/oauth/revoke', form({ token, ...fields }, { headers }));
}

async function expectRevoked200(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  expect(await response.text()).toBe('');
}

async function active(token: string): Promise<boolean> {
  const response = await introspect(token);
  expect(response.status).toBe(200);
  return ((await response.json()) as { active: boolean }).active;
}

/** An access token signed with our own key, with claims a test chooses. */
async function signed(overrides: { audience?: string; ttlSeconds?: number; iat?: number; jti?: string } = {}) {
  const now = overrides.iat ?? Math.floor(Date.now() / 1000);
  return signAccessToken(
    await getSigningKey(env, 'ES256'),
    {
      issuer: ISSUER,
      subject: 'user_demo',
      audience: overrides.audience ?? 'https://api.example.com',
      clientId: 'demo-app',
      scopes: ['read:items'],
      authTime: now,
      ttlSeconds: overrides.ttlSeconds ?? 60,
      jti: overrides.jti ?? `${'G'.repeat(22)}.x`,
    },
    now,
  );
}

describe('introspection (RFC 7662)', () => {
  it('describes a live access token to the API it was issued for', async () => {
    const { access_token } = await signInForTokens(OFFLINE);
    const response = await introspect(access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      active: true,
      token_type: 'Bearer',
      scope: 'openid read:items offline_access',
      client_id: 'demo-app',
      sub: 'user_demo',
      aud: 'https://api.example.com',
      iss: ISSUER,
    });
    expect(typeof body.exp).toBe('number');
    expect(typeof body.jti).toBe('string');
  });

  // Only to the client it was issued to; a resource server learns nothing of it (issue 12, finding 8;
  // test/attacks/introspection-rights.test.ts).
  it('describes a live refresh token to its client, and not once it is rotated out', async () => {
    const redirectUri = 'https://app.example.org/callback';
    const app = await createClient({ type: 'confidential', redirect_uris: [redirectUri], scopes: ['openid', 'offline_access', 'read:items'], audiences: ['https://api.example.com'] });
    const credentials = { client_id: app.id, client_secret: app.client_secret! };
    const { issued } = await signIn({ ...OFFLINE, client_id: app.id, redirect_uri: redirectUri });
    const { refresh_token } = await redeemForTokens(issued, credentials);
    const asClient = (token: string) => introspect(token, basic(app.id, app.client_secret!));
    expect(await (await asClient(refresh_token!)).json()).toMatchObject({ active: true, client_id: app.id, sub: 'user_demo' });
    expect(await active(refresh_token!)).toBe(false);
    const rotated = (await (await refresh(refresh_token!, credentials)).json()) as { refresh_token: string };
    expect(await (await asClient(refresh_token!)).json()).toEqual({ active: false });
    expect(await (await asClient(rotated.refresh_token)).json()).toMatchObject({ active: true });
  });

  it('answers active:false for expired, foreign-audience, unknown and non-access tokens', async () => {
    const { id_token } = await signInForTokens(OFFLINE);
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    expect(await active(await signed({ iat: tenMinutesAgo, ttlSeconds: 60 }))).toBe(false);
    expect(await active(await signed({ audience: 'https://other-api.example.com' }))).toBe(false);
    // Well signed, but its grant does not exist.
    expect(await active(await signed())).toBe(false);
    expect(await active(id_token!)).toBe(false);
    expect(await active('garbage')).toBe(false);
    expect(await active(`${'A'.repeat(22)}.${'B'.repeat(43)}`)).toBe(false);
  });

  it('requires a confidential client', async () => {
    const { access_token } = await signInForTokens();
    const publicClient = await call('/oauth/introspect', form({ token: access_token, client_id: 'demo-app' }));
    await expectOAuthError(publicClient, 401, 'invalid_client');
    expect(publicClient.headers.get('WWW-Authenticate')).toMatch(/^Basic /);
    await expectOAuthError(await introspect(access_token, `Basic ${btoa('demo-api:wrong')}`), 401, 'invalid_client');
    await expectOAuthError(await introspect(access_token, 'Bearer x'), 401, 'invalid_client');
    const post = await call('/oauth/introspect', form({ token: access_token, client_id: 'demo-api', client_secret: 'demo-api-secret' }));
    expect(await post.json()).toMatchObject({ active: true });
  });

  it('requires the token parameter', async () => {
    await expectOAuthError(await call('/oauth/introspect', form({}, { headers: { Authorization: DEMO_API_BASIC } })), 400, 'invalid_request');
  });
});

describe('revocation (RFC 7009)', () => {
  it('revokes an access token by jti, leaving the rest of the grant alone', async () => {
    const { access_token, refresh_token } = await signInForTokens(OFFLINE);
    await expectRevoked200(await revoke(access_token));
    expect(await active(access_token)).toBe(false);
    const next = (await (await refresh(refresh_token!)).json()) as { access_token: string };
    expect(await active(next.access_token)).toBe(true);
  });

  it('revokes a refresh token with its whole family and the grant’s access tokens', async () => {
    const { access_token, refresh_token } = await signInForTokens(OFFLINE);
    await expectRevoked200(await revoke(refresh_token!, { client_id: 'demo-app', token_type_hint: 'refresh_token' }));
    await expectOAuthError(await refresh(refresh_token!), 400, 'invalid_grant');
    expect(await active(access_token)).toBe(false);
  });

  it('answers 200 for unknown tokens and for other clients’ tokens, revoking nothing', async () => {
    const { access_token, refresh_token } = await signInForTokens(OFFLINE);
    await expectRevoked200(await revoke('garbage'));
    await expectRevoked200(await revoke(`${'A'.repeat(22)}.${'B'.repeat(43)}`));
    await expectRevoked200(await revoke(access_token, { client_id: 'other-app' }));
    await expectRevoked200(await revoke(refresh_token!, { client_id: 'other-app' }));
    expect(await active(access_token)).toBe(true);
    expect((await refresh(refresh_token!)).status).toBe(200);
  });

  it('authenticates the client and needs the token parameter', async () => {
    await expectOAuthError(await revoke('x', {}), 401, 'invalid_client');
    await expectOAuthError(await revoke('x', { client_id: 'no-such-app' }), 401, 'invalid_client');
    await expectOAuthError(await call('/oauth/revoke', form({ client_id: 'demo-app' })), 400, 'invalid_request');
  });
});
