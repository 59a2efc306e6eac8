import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Base64url } from '../src/crypto/hash';
import { call, form } from './helpers/http';
import { type IssuedCode, obtainCode } from './helpers/flow';
import { expectOAuthError } from './helpers/assertions';

const WEB = { client_id: 'web-app', redirect_uri: 'https://web.example.com/callback' };
const BASIC = `Basic ${btoa('web-app:web-secret')}`;

function redeemAs(issued: IssuedCode, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return call(
    '/oauth/token',
    form({ grant_type: 'authorization_code', code: issued.code, redirect_uri: issued.redirectUri, ...fields }, { headers }),
  );
}

describe('confidential clients at the token endpoint (RFC 6749 section 2.3.1)', () => {
  beforeAll(async () => {
    await env.DB.prepare(
      `INSERT OR IGNORE INTO clients (id, name, type, secret_hash, redirect_uris, grant_types, scopes, audiences)
       VALUES ('web-app', 'Web App', 'confidential', ?, '["https://web.example.com/callback"]', '["authorization_code"]',
               '["read:items"]', '["https://api.example.com"]')`,
    )
      .bind(await sha256Base64url('web-secret'))
      .run();
  });

  it('authenticate with client_secret_basic', async () => {
    const issued = await obtainCode({ ...WEB, scope: 'read:items', nonce: undefined });
    const response = await redeemAs(issued, { code_verifier: issued.verifier }, { Authorization: BASIC });
    expect(response.status).toBe(200);
  });

  it('authenticate with client_secret_post', async () => {
    const issued = await obtainCode({ ...WEB, scope: 'read:items', nonce: undefined });
    const response = await redeemAs(issued, { client_id: 'web-app', client_secret: 'web-secret', code_verifier: issued.verifier });
    expect(response.status).toBe(200);
  });

  it.each([
    ['a wrong secret', { client_id: 'web-app', client_secret: 'nope' }, {}],
    ['no secret', { client_id: 'web-app' }, {}],
    ['a wrong Basic secret', {}, { Authorization: `Basic ${btoa('web-app:nope')}` }],
    ['a Basic header for an unknown client', {}, { Authorization: `Basic ${btoa('ghost:web-secret')}` }],
  ])('refuse %s with 401 invalid_client and WWW-Authenticate', async (_name, fields, headers) => {
    const issued = await obtainCode({ ...WEB, scope: 'read:items', nonce: undefined });
    const response = await redeemAs(issued, { ...fields, code_verifier: issued.verifier }, headers);
    await expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers.get('WWW-Authenticate')).toBe('Basic realm="edge-auth", charset="UTF-8"');
  });

  it('refuse two authentication methods at once', async () => {
    const issued = await obtainCode({ ...WEB, scope: 'read:items', nonce: undefined });
    const response = await redeemAs(issued, { client_secret: 'web-secret', code_verifier: issued.verifier }, { Authorization: BASIC });
    await expectOAuthError(response, 400, 'invalid_request');
  });

  it('may skip PKCE, but then may not present a verifier (downgrade, RFC 9700 section 2.1.1)', async () => {
    const withoutPkce = { ...WEB, scope: 'read:items', nonce: undefined, code_challenge: undefined, code_challenge_method: undefined };
    const plain = await obtainCode(withoutPkce);
    expect((await redeemAs(plain, {}, { Authorization: BASIC })).status).toBe(200);
    const downgraded = await obtainCode(withoutPkce);
    const response = await redeemAs(downgraded, { code_verifier: 'a'.repeat(43) }, { Authorization: BASIC });
    const body = await expectOAuthError(response, 400, 'invalid_grant');
    expect(body.error_description).toMatch(/not issued with PKCE/);
  });
});
