/**
 * The Management API of upstream connections (issue 17) and the linking rules, inside workerd
 * against the real D1: secrets go in and never come out (sealed at rest), each type's required
 * fields, a client's `connections` setting, the login page's buttons, and how an upstream
 * identity finds, links to or creates a user (src/interaction/federated-account.ts).
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { hasPassword, noPasswordHash } from '../src/crypto/password';
import { createFederatedUser, findUserByIdentity, linkIdentity, listIdentities } from '../src/db/identities';
import { findUserByEmail } from '../src/db/users';
import { expectApiError, expectInvalidFields, management, ok } from './helpers/management';
import { call } from './helpers/http';
import { unique } from './helpers/values';

const ISSUER = 'https://auth.example.test';

async function createConnection(body: Record<string, unknown>) {
  return ok<Record<string, unknown>>(await management('POST', '/connections', body), 201);
}

describe('/api/v1/connections', () => {
  it('creates a generic OpenID Connect connection, seals its secret and never returns it', async () => {
    const name = `corp-${unique().slice(0, 8).toLowerCase()}`;
    const created = await createConnection({ name, type: 'oidc', issuer: 'https://id.example.com/', client_id: 'edge', client_secret: 'very-secret-value' });
    expect(created).toMatchObject({
      name, type: 'oidc', display_name: name, issuer: 'https://id.example.com', client_id: 'edge', client_secret_set: true, client_secret_ref: null,
      response_mode: 'query', callback_url: `${ISSUER}/login/federated/callback`,
    });
    expect(JSON.stringify(created)).not.toContain('very-secret-value');
    const row = await env.DB.prepare('SELECT secret_sealed FROM connections WHERE id = ?').bind(created.id).first<{ secret_sealed: string }>();
    expect(row?.secret_sealed).toBeTruthy();
    expect(row?.secret_sealed).not.toContain('very-secret-value');
    expect(JSON.stringify(await ok(await management('GET', `/connections/${String(created.id)}`)))).not.toContain('very-secret-value');
    expect(JSON.stringify(await ok(await management('GET', '/connections')))).not.toContain('very-secret-value');
  });

  it('refuses what would not work, field by field', async () => {
    await expectInvalidFields(await management('POST', '/connections', { name: 'no-issuer', type: 'oidc', client_id: 'x', client_secret: 's' }), ['issuer']);
    await expectInvalidFields(await management('POST', '/connections', { name: 'internal', type: 'oidc', issuer: 'http://10.0.0.1', client_id: 'x', client_secret: 's' }), ['issuer']);
    await expectInvalidFields(await management('POST', '/connections', { name: 'no-secret', type: 'google', client_id: 'x' }), ['client_secret']);
    await expectInvalidFields(await management('POST', '/connections', { name: 'fixed', type: 'google', issuer: 'https://evil.example', client_id: 'x', client_secret: 's' }), ['issuer']);
    await expectInvalidFields(await management('POST', '/connections', { name: 'apple-half', type: 'apple', client_id: 'x', client_secret: 's' }), [
      'apple_team_id', 'apple_key_id', 'client_secret',
    ]);
    await expectInvalidFields(await management('POST', '/connections', { name: 'Bad Name', type: 'github', client_id: 'x', client_secret: 's' }), ['name']);
    await expectInvalidFields(await management('POST', '/connections', { name: 'both', type: 'github', client_id: 'x', client_secret: 's', client_secret_ref: 'GITHUB_SECRET' }), ['client_secret_ref']);
  });

  it('takes Apple with its team key (form_post by default) and GitHub with a wrangler secret reference', async () => {
    const apple = await createConnection({
      name: `apple-${unique().slice(0, 6).toLowerCase()}`, type: 'apple', client_id: 'com.example.signin', apple_team_id: 'ABCDE12345', apple_key_id: 'KEY1234567',
      apple_private_key: '-----BEGIN PRIVATE KEY-----\nMIG...\n-----END PRIVATE KEY-----\n',
    });
    expect(apple).toMatchObject({ type: 'apple', display_name: 'Apple', issuer: 'https://appleid.apple.com', response_mode: 'form_post', client_secret_set: true });
    expect(JSON.stringify(apple)).not.toContain('PRIVATE KEY');
    const github = await createConnection({ name: `gh-${unique().slice(0, 6).toLowerCase()}`, type: 'github', client_id: 'Iv1.x', client_secret_ref: 'GITHUB_CLIENT_SECRET' });
    expect(github).toMatchObject({ display_name: 'GitHub', issuer: null, client_secret_set: false, client_secret_ref: 'GITHUB_CLIENT_SECRET' });
  });

  it('answers 409 for a taken name, updates, and deletes (its identities go with it)', async () => {
    const name = `dup-${unique().slice(0, 6).toLowerCase()}`;
    const created = await createConnection({ name, type: 'github', client_id: 'a', client_secret: 's' });
    await expectApiError(await management('POST', '/connections', { name, type: 'github', client_id: 'b', client_secret: 's' }), 409, 'conflict');
    const updated = await ok(await management('PATCH', `/connections/${String(created.id)}`, { client_secret_ref: 'NEW_SECRET', scopes: ['read:user'] }));
    expect(updated).toMatchObject({ client_secret_set: false, client_secret_ref: 'NEW_SECRET', scopes: ['read:user'] });
    await linkIdentity(env, { connectionId: String(created.id), subject: '42', userId: 'user_demo', email: null });
    expect((await listIdentities(env, 'user_demo')).map((identity) => identity.connection)).toContain(name);
    expect((await management('DELETE', `/connections/${String(created.id)}`)).status).toBe(204);
    expect((await listIdentities(env, 'user_demo')).map((identity) => identity.connection)).not.toContain(name);
    await expectApiError(await management('GET', `/connections/${String(created.id)}`), 404, 'not_found');
  });

  it('a client offers its connections as buttons on its login page, in its order, with each brand\'s words', async () => {
    const google = await createConnection({ name: `g-${unique().slice(0, 6).toLowerCase()}`, type: 'google', client_id: 'x', client_secret: 's' });
    const corp = await createConnection({ name: `c-${unique().slice(0, 6).toLowerCase()}`, type: 'oidc', issuer: 'https://id.example.com', display_name: 'Example Corp', client_id: 'x', client_secret: 's' });
    const client = await ok(await management('POST', '/clients', {
      name: 'Fed App', type: 'public', redirect_uris: ['com.example.fed:/callback'], scopes: ['openid'], audiences: ['https://api.example.com'], connections: [String(corp.name), String(google.name)],
    }), 201);
    expect(client.connections).toEqual([corp.name, google.name]);
    await expectInvalidFields(await management('PATCH', `/clients/${String(client.id)}`, { connections: ['Not A Name'] }), ['connections.0']);

    const authorize = await call(`/authorize?${new URLSearchParams({
      client_id: String(client.id), response_type: 'code', redirect_uri: 'com.example.fed:/callback', scope: 'openid', audience: 'https://api.example.com', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    })}`);
    const cookie = (authorize.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const page = await (await call('/login', { headers: { Cookie: cookie } })).text();
    const corpAt = page.indexOf(`href="/login/federated/${String(corp.name)}"`);
    const googleAt = page.indexOf(`href="/login/federated/${String(google.name)}"`);
    expect(corpAt).toBeGreaterThan(0);
    expect(googleAt).toBeGreaterThan(corpAt);
    expect(page).toContain('Continue with Example Corp');
    expect(page).toContain('Continue with Google');
    expect(page).not.toContain('<script src');
  });
});

describe('linked identities in D1', () => {
  it('a federated user has no password, and its identity finds it; a taken identity or address creates nothing', async () => {
    const connection = await createConnection({ name: `l-${unique().slice(0, 6).toLowerCase()}`, type: 'github', client_id: 'x', client_secret: 's' });
    const email = `${unique()}@example.com`.toLowerCase();
    const user = await createFederatedUser(
      env,
      { id: `user_${unique()}`, email, name: null, emailVerified: true, passwordHash: noPasswordHash({ scheme: 'pbkdf2-sha256', iterations: 100_000 }) },
      { connectionId: String(connection.id), subject: 'sub-1', email },
    );
    expect(user).toBeDefined();
    expect(hasPassword(user!.passwordHash)).toBe(false);
    expect((await findUserByIdentity(env, String(connection.id), 'sub-1'))?.id).toBe(user!.id);
    // The same identity again, or the same address: the batch writes neither row.
    const again = await createFederatedUser(env, { id: `user_${unique()}`, email: `${unique()}@example.com`, name: null, emailVerified: true, passwordHash: 'x' }, {
      connectionId: String(connection.id), subject: 'sub-1', email: null,
    });
    expect(again).toBeUndefined();
    const sameAddress = await createFederatedUser(env, { id: `user_${unique()}`, email, name: null, emailVerified: true, passwordHash: 'x' }, {
      connectionId: String(connection.id), subject: 'sub-2', email,
    });
    expect(sameAddress).toBeUndefined();
    expect(await findUserByIdentity(env, String(connection.id), 'sub-2')).toBeUndefined();
    expect((await findUserByEmail(env, email))?.id).toBe(user!.id);
    // Deleting the account removes its identities with it.
    expect((await management('DELETE', `/users/${user!.id}`)).status).toBe(204);
    expect(await findUserByIdentity(env, String(connection.id), 'sub-1')).toBeUndefined();
    const left = await env.DB.prepare('SELECT count(*) AS n FROM user_identities WHERE user_id = ?').bind(user!.id).first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});
