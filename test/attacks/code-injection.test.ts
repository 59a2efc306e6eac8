/**
 * RFC 9700 section 4.5 (authorization code injection) and RFC 6749 section 10.6: a code that leaks
 * from one client or one session must be worthless anywhere else. The code is bound to its client,
 * its redirect URI and its PKCE challenge; a stolen code presented wrongly is spent, never retried.
 */
import { sha256Base64url } from '../../src/crypto/hash';
import { freshIp } from '../helpers/values';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, form } from '../helpers/http';
import { introspect, type IssuedCode, obtainCode, pkcePair, redeem } from '../helpers/flow';
import { expectOAuthError } from '../helpers/assertions';
import { insertClient, insertUsers } from '../helpers/storage';

const VICTIM = { email: 'victim.injection@example.com', password: 'victim-injection-pw' };
const ATTACKER = { email: 'attacker.injection@example.com', password: 'attacker-injection-pw' };
const OTHER = { client_id: 'other-app', redirect_uri: 'com.example.other:/callback', scope: 'openid read:items' };
const ATTACKER_WEB = { client_id: 'injection-web', redirect_uri: 'https://attacker-web.example/callback' };
const ATTACKER_WEB_BASIC = `Basic ${btoa('injection-web:injection-web-secret')}`;

const victimCode = (overrides = {}) => obtainCode(overrides, { ...VICTIM, ip: freshIp() });

/** The victim's own app redeems afterwards: it must not get tokens for a code an attacker presented first. */
async function expectSpent(issued: IssuedCode): Promise<void> {
  await expectOAuthError(await redeem(issued), 400, 'invalid_grant');
}

beforeAll(async () => {
  await insertUsers({ [VICTIM.email]: VICTIM.password, [ATTACKER.email]: ATTACKER.password });
  await insertClient({
    id: 'injection-web',
    type: 'confidential',
    secretHash: await sha256Base64url('injection-web-secret'),
    redirectUris: [ATTACKER_WEB.redirect_uri],
  });
});

describe('code injection across clients (RFC 9700 section 4.5, RFC 6749 section 4.1.3)', () => {
  it('demo-app’s code redeemed by other-app with other-app’s own redirect URI and verifier gets nothing', async () => {
    const issued = await victimCode();
    const attackerPkce = await pkcePair();
    const response = await redeem(issued, { client_id: 'other-app', redirect_uri: OTHER.redirect_uri, code_verifier: attackerPkce.verifier });
    const body = await expectOAuthError(response, 400, 'invalid_grant');
    expect(JSON.stringify(body)).not.toContain('access_token');
    await expectSpent(issued);
  });

  it('demo-app’s code redeemed by other-app with the stolen verifier too gets nothing', async () => {
    const issued = await victimCode();
    await expectOAuthError(await redeem(issued, { client_id: 'other-app' }), 400, 'invalid_grant');
    await expectSpent(issued);
  });

  it('demo-app’s code redeemed by an authenticated confidential client gets nothing (Basic and post)', async () => {
    const ways: { headers: Record<string, string>; fields: Record<string, string> }[] = [
      { headers: { Authorization: ATTACKER_WEB_BASIC }, fields: {} },
      { headers: {}, fields: { client_id: 'injection-web', client_secret: 'injection-web-secret' } },
    ];
    for (const credentials of ways) {
      const issued = await victimCode();
      const response = await call(
        '/oauth/token',
        form(
          { grant_type: 'authorization_code', code: issued.code, redirect_uri: issued.redirectUri, code_verifier: issued.verifier, ...credentials.fields },
          { headers: credentials.headers },
        ),
      );
      await expectOAuthError(response, 400, 'invalid_grant');
      await expectSpent(issued);
    }
  });

  it('demo-app’s code redeemed as JSON by other-app gets nothing', async () => {
    const issued = await victimCode();
    const response = await call('/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', client_id: 'other-app', code: issued.code, redirect_uri: issued.redirectUri, code_verifier: issued.verifier }),
    });
    await expectOAuthError(response, 400, 'invalid_grant');
  });

  it('other-app’s code cannot be redeemed by demo-app, which is allowed more scopes', async () => {
    const issued = await obtainCode(OTHER, { ...VICTIM, ip: '192.0.2.22' });
    await expectOAuthError(await redeem(issued, { client_id: 'demo-app' }), 400, 'invalid_grant');
  });

  it('of 20 concurrent redemptions by other-app and one by demo-app, only demo-app can win', async () => {
    const issued = await victimCode();
    const responses = await Promise.all([
      ...Array.from({ length: 20 }, () => redeem(issued, { client_id: 'other-app' })),
      redeem(issued),
    ]);
    for (const response of responses.slice(0, 20)) await expectOAuthError(response, 400, 'invalid_grant');
    // The attackers were first in line: the code is spent before demo-app's turn, or demo-app won it.
    expect([200, 400]).toContain(responses[20]!.status);
  });
});

describe('code injection into another session (RFC 9700 section 4.5.3: PKCE)', () => {
  it('the victim’s code with the attacker session’s verifier is refused and spent', async () => {
    const stolen = await victimCode();
    // The attacker's own session at the same app: its own verifier, for a code of its own.
    const attackerSession = await obtainCode({}, { ...ATTACKER, ip: '192.0.2.23' });
    await expectOAuthError(await redeem({ ...stolen, verifier: attackerSession.verifier }), 400, 'invalid_grant');
    await expectSpent(stolen);
    // The attacker's own code still works for the attacker: only the injected one was refused.
    expect((await redeem(attackerSession)).status).toBe(200);
  });

  it('the victim’s code is bound to the exact loopback port it was issued for', async () => {
    const issued = await victimCode({ redirect_uri: 'http://127.0.0.1:5000/callback' });
    for (const redirectUri of ['http://127.0.0.1/callback', 'http://127.0.0.1:5000/callback/', 'com.example.demo:/callback']) {
      // Each is refused before or after the code is spent; none yields tokens.
      const response = await redeem(issued, { redirect_uri: redirectUri });
      await expectOAuthError(response, 400, 'invalid_grant');
    }
  });
});

describe('forged and confused handles', () => {
  it('splicing one code’s grant id with another code’s secret is unknown, and spends neither', async () => {
    const first = await victimCode();
    const second = await victimCode();
    const [firstId, firstSecret] = first.code.split('.');
    const [secondId, secondSecret] = second.code.split('.');
    await expectOAuthError(await redeem({ ...first, code: `${firstId}.${secondSecret}` }), 400, 'invalid_grant');
    await expectOAuthError(await redeem({ ...second, code: `${secondId}.${firstSecret}` }), 400, 'invalid_grant');
    expect((await redeem(first)).status).toBe(200);
    expect((await redeem(second)).status).toBe(200);
  });

  it('refresh, access and ID tokens and the session cookie are not codes', async () => {
    const pending = await obtainCode({ scope: 'openid read:items offline_access' }, { ...VICTIM, ip: '192.0.2.24' });
    const tokens = (await (await redeem(pending)).json()) as { access_token: string; refresh_token: string; id_token: string };
    const fresh = await victimCode();
    for (const impostor of [tokens.refresh_token, tokens.access_token, tokens.id_token]) {
      await expectOAuthError(await redeem({ ...fresh, code: impostor }), 400, 'invalid_grant');
    }
    // None of them disturbed the real code.
    expect((await redeem(fresh)).status).toBe(200);
  });

  it('a code is no refresh token, and revoking or introspecting it neither spends it nor reveals it', async () => {
    const issued = await victimCode();
    const refreshed = await call('/oauth/token', form({ grant_type: 'refresh_token', client_id: 'demo-app', refresh_token: issued.code }));
    await expectOAuthError(refreshed, 400, 'invalid_grant');
    expect((await call('/oauth/revoke', form({ token: issued.code, client_id: 'demo-app' }))).status).toBe(200);
    expect(await (await introspect(issued.code)).json()).toEqual({ active: false });
    expect((await redeem(issued)).status).toBe(200);
  });

  it('a code presented as the session cookie does not sign the browser in', async () => {
    const issued = await victimCode();
    const { challenge } = await pkcePair();
    const query = new URLSearchParams({
      client_id: 'demo-app',
      redirect_uri: 'com.example.demo:/callback',
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      prompt: 'none',
      state: 's',
    });
    const response = await call(`/authorize?${query}`, { headers: { Cookie: `__Host-edge-auth-session=${issued.code}` } });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('Location')!).searchParams.get('error')).toBe('login_required');
  });
});
