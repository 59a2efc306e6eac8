/**
 * Issue 12, finding 4: a refresh must not resurrect what an operator withdrew since the sign-in. A
 * scope removed from the client or from the API is left out of every later access token; an
 * audience removed from the client ends the grant (`invalid_grant`).
 */
import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { expectOAuthError, expectTokenResponse } from '../helpers/assertions';
import { refresh, signInForTokens } from '../helpers/flow';
import { createClient, management, ok } from '../helpers/management';
import { unique } from '../helpers/values';

const OFFLINE = 'openid offline_access read:items write:items';

/** A public app of its own, with everything the tests then withdraw, and a user signed in to it. */
async function signedInApp(audience = 'https://api.example.com') {
  const redirect = `com.example.withdrawn${unique()}:/callback`;
  const client = await createClient({
    redirect_uris: [redirect],
    scopes: ['openid', 'offline_access', 'read:items', 'write:items'],
    audiences: [audience],
  });
  const tokens = await signInForTokens({ client_id: client.id, redirect_uri: redirect, scope: OFFLINE, audience, nonce: undefined });
  expect(tokens.scope).toBe(OFFLINE);
  return { client, tokens };
}

describe('refresh after permissions were withdrawn (issue 12, finding 4)', () => {
  it('a scope removed from the client is not issued again', async () => {
    const { client, tokens } = await signedInApp();
    await ok(await management('PATCH', `/clients/${client.id}`, { scopes: ['openid', 'offline_access', 'read:items'] }));
    const refreshed = await expectTokenResponse(await refresh(tokens.refresh_token!, { client_id: client.id }));
    expect(refreshed.scope).toBe('openid offline_access read:items');
    expect(decodeJwt(refreshed.access_token).scope).toBe('openid offline_access read:items');
  });

  it('a scope the API no longer defines is not issued again', async () => {
    const identifier = `https://withdrawn-${unique()}.example.com`;
    const api = await ok<{ id: string }>(await management('POST', '/apis', { identifier, name: 'Withdrawn', scopes: ['read:items', 'write:items'] }), 201);
    const { client, tokens } = await signedInApp(identifier);
    await ok(await management('PATCH', `/apis/${api.id}`, { scopes: ['read:items'] }));
    const refreshed = await expectTokenResponse(await refresh(tokens.refresh_token!, { client_id: client.id }));
    expect(refreshed.scope).toBe('openid offline_access read:items');
  });

  it('an audience removed from the client fails the refresh with invalid_grant', async () => {
    // The client keeps another API defining the same scopes: a client that signs users in needs an
    // audience, and its scopes an API that defines them (issue 18).
    const identifier = `https://remaining-${unique()}.example.com`;
    await ok(await management('POST', '/apis', { identifier, name: 'Remaining', scopes: ['read:items', 'write:items'] }), 201);
    const { client, tokens } = await signedInApp();
    await ok(await management('PATCH', `/clients/${client.id}`, { audiences: [identifier] }));
    await expectOAuthError(await refresh(tokens.refresh_token!, { client_id: client.id }), 400, 'invalid_grant');
  });
});
