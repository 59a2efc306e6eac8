/**
 * Issue 12, finding 8 (d): who may learn what at /oauth/introspect (RFC 7662 section 4 leaves it to
 * the server). A resource server introspected refresh tokens of its audience, which it should never
 * hold: a stolen or misrouted refresh token told it the user, the scopes and how long it lives.
 * The rule (src/oauth/introspection.ts): the client a token was issued to may introspect it; a
 * resource server of the token's audience may introspect access tokens only.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_API_BASIC } from '../helpers/fixtures';
import { basic } from '../helpers/http';
import { introspect, redeemForTokens, signIn, signInForTokens } from '../helpers/flow';
import { createClient } from '../helpers/management';

const OFFLINE = { scope: 'openid offline_access read:items' };
const INACTIVE = { active: false };

const answer = async (token: string, authorization: string) => (await introspect(token, authorization)).json();

/** A confidential web app with the authorization code grant: it holds a refresh token of its own. */
async function confidentialAppTokens() {
  const redirectUri = 'https://app.example.org/callback';
  const app = await createClient({
    type: 'confidential',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'offline_access', 'read:items'],
    audiences: ['https://api.example.com'],
  });
  const { issued } = await signIn({ ...OFFLINE, client_id: app.id, redirect_uri: redirectUri });
  const tokens = await redeemForTokens(issued, { client_id: app.id, client_secret: app.client_secret! });
  return { tokens, basic: basic(app.id, app.client_secret!), id: app.id };
}

describe('refresh tokens (issue 12, finding 8)', () => {
  it('a resource server of the audience learns nothing of a refresh token', async () => {
    const { refresh_token } = await signInForTokens(OFFLINE);
    expect(await answer(refresh_token!, DEMO_API_BASIC)).toEqual(INACTIVE);
  });

  it('the client it was issued to does, and no other client of the same API', async () => {
    const app = await confidentialAppTokens();
    expect(await answer(app.tokens.refresh_token!, app.basic)).toMatchObject({ active: true, client_id: app.id, aud: 'https://api.example.com' });
    expect(await answer(app.tokens.refresh_token!, DEMO_API_BASIC)).toEqual(INACTIVE);
    const other = await confidentialAppTokens();
    expect(await answer(app.tokens.refresh_token!, other.basic)).toEqual(INACTIVE);
  });
});

describe('access tokens', () => {
  it('a resource server of the audience, and the client it was issued to, learn about it', async () => {
    const app = await confidentialAppTokens();
    expect(await answer(app.tokens.access_token, DEMO_API_BASIC)).toMatchObject({ active: true, client_id: app.id });
    expect(await answer(app.tokens.access_token, app.basic)).toMatchObject({ active: true, client_id: app.id });
  });

  it('a confidential client neither of its audience nor its holder learns nothing', async () => {
    const { access_token } = await signInForTokens(OFFLINE);
    const stranger = await createClient({ type: 'confidential', grant_types: ['client_credentials'] });
    expect(await answer(access_token, basic(stranger.id, stranger.client_secret!))).toEqual(INACTIVE);
  });
});
