/**
 * Issue 12, finding 5: consent is remembered per user, client, API and scope. Consent to
 * `read:items` of one API used to cover `read:items` of any other API of the same client, and the
 * consent page never named the API.
 */
import { describe, expect, it } from 'vitest';
import { expectErrorRedirect } from '../helpers/assertions';
import { authorizeWith, reachConsent, submitConsent } from '../helpers/flow';
import { call } from '../helpers/http';
import { createClient, management, ok } from '../helpers/management';
import { insertUsers } from '../helpers/storage';
import { unique } from '../helpers/values';

const PASSWORD = 'consent-per-api-password';

/** A third-party app allowed two APIs that both define read:items, and a user of its own. */
async function thirdPartyWithTwoApis() {
  const second = `https://second-${unique()}.example.com`;
  await ok(await management('POST', '/apis', { identifier: second, name: 'Second API', scopes: ['read:items'], scope_descriptions: { 'read:items': 'See your second items' } }), 201);
  // A claimed https redirect: single sign-on approves it without the one-tap page.
  const redirect = `https://third-${unique()}.example.com/callback`;
  const client = await createClient({
    redirect_uris: [redirect],
    scopes: ['openid', 'read:items'],
    audiences: ['https://api.example.com', second],
    require_consent: true,
  });
  const email = `consent-api-${unique()}@example.com`;
  await insertUsers({ [email]: PASSWORD });
  const app = { client_id: client.id, redirect_uri: redirect, scope: 'openid read:items' };
  return { app, second, email };
}

describe('consent per API (issue 12, finding 5)', () => {
  it('the consent page names the API and shows its words for the scopes', async () => {
    const { app, email } = await thirdPartyWithTwoApis();
    const consent = await reachConsent(email, PASSWORD, { ...app, audience: 'https://api.example.com' });
    const page = await (await call('/consent', { headers: { Cookie: consent.cookie } })).text();
    expect(page).toContain('Example API');
    expect(page).toContain('See your items');
    expect(page).not.toContain('<li>read:items</li>');
  });

  it('consent to a scope of one API does not cover the same scope of another', async () => {
    const { app, second, email } = await thirdPartyWithTwoApis();
    const consent = await reachConsent(email, PASSWORD, { ...app, audience: 'https://api.example.com' });
    expect((await submitConsent(consent, 'allow')).status).toBe(303);

    // The same API again: remembered, so prompt=none gets a code.
    const again = await authorizeWith(consent.session, { ...app, audience: 'https://api.example.com', prompt: 'none' });
    expect(new URL(again.response.headers.get('Location')!).searchParams.get('code')).toBeTruthy();
    // The other API, same scope name: not consented to.
    const other = await authorizeWith(consent.session, { ...app, audience: second, prompt: 'none' });
    expectErrorRedirect(other.response, 'consent_required', { redirectUri: app.redirect_uri });
  });
});
