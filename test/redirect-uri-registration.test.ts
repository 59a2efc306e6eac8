import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { checkRedirectUriRegistration } from '../src/oauth/redirect-uri-registration';

// The rules themselves are tested in Node (test/unit/redirect-uri-registration.test.ts); this needs the seeded D1.
describe('redirect URI registration (RFC 8252 section 7, RFC 9700 section 4.1)', () => {
  it('every redirect and post-logout URI in the dev seed passes', async () => {
    const { results } = await env.DB.prepare('SELECT redirect_uris, post_logout_redirect_uris FROM clients').all<{
      redirect_uris: string;
      post_logout_redirect_uris: string;
    }>();
    const uris = results.flatMap((row) => [...JSON.parse(row.redirect_uris), ...JSON.parse(row.post_logout_redirect_uris)] as string[]);
    expect(uris.length).toBeGreaterThan(3);
    for (const uri of uris) expect(checkRedirectUriRegistration(uri), uri).toEqual({ ok: true });
  });
});
