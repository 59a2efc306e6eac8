/**
 * The native passkey API over HTTP (issue 14), against the real worker, with the software
 * authenticator of test/helpers: a passkey enrolled on the account page, then the app's own
 * sign-in without a browser tab: POST /passkey/challenge, POST /passkey/sign-in, and the code
 * redeemed at /oauth/token with PKCE. The issuer is http://localhost:<port> (an RP ID is a domain).
 */
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { startWorkerServer, type WorkerServer } from './worker-server';

const REDIRECT = 'com.example.demo:/callback';
const PASSWORD = 'native passkey lantern 9';

let server: WorkerServer;
/** Where the test sends requests: the worker listens on 127.0.0.1, its issuer names localhost. */
let base: string;
let authenticator: SoftwareAuthenticator;
let userId: string;

const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function formPost(path: string, body: Record<string, string>, cookie = ''): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie }, body: new URLSearchParams(body) });
}

async function management(method: string, path: string, body?: unknown): Promise<Response> {
  const token = (await (
    await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from('dev-admin:dev-admin-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    })
  ).json()) as { access_token: string };
  return fetch(`${base}/api/v1${path}`, { method, headers: { Authorization: `Bearer ${token.access_token}`, 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
}

beforeAll(async () => {
  server = await startWorkerServer({ host: 'localhost' });
  base = server.issuer.replace('//localhost:', '//127.0.0.1:');
  const email = `native-passkey-${randomBytes(4).toString('hex')}@example.com`;
  const created = await management('POST', '/users', { email, password: PASSWORD });
  expect(created.status).toBe(201);
  userId = ((await created.json()) as { id: string }).id;
  // Enrolled on the account page, as the person would in a browser.
  const signedIn = await formPost('/account/sign-in', { email, password: PASSWORD });
  const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const page = await (await fetch(`${base}/account`, { headers: { Cookie: cookie } })).text();
  const attribute = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(page)![1]!;
  authenticator = new SoftwareAuthenticator({ origin: server.issuer, rpId: 'localhost', counts: true });
  const registration = await authenticator.create({ challenge: attribute('data-challenge'), userHandle: attribute('data-user-id') });
  const enrolled = await formPost('/account/passkeys', { name: 'Test iPhone', credential: JSON.stringify(registration) }, cookie);
  expect(enrolled.status).toBe(303);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

function authorizationRequest() {
  const verifier = randomBytes(32).toString('base64url');
  const params = {
    client_id: 'demo-app', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid read:items', state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', nonce: 'n-1',
  };
  return { params, verifier };
}

async function challenge(params: Record<string, string>) {
  const response = await post('/passkey/challenge', params);
  expect(response.status).toBe(200);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  return (await response.json()) as { auth_session: string; expires_in: number; public_key: { challenge: string; rpId: string; userVerification: string; allowCredentials: unknown[] } };
}

async function expectError(response: Response, status: number, error: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  expect(((await response.json()) as { error: string }).error).toBe(error);
}

describe('the native passkey API', () => {
  it('signs in without a browser tab and ends in the same tokens through /oauth/token with PKCE', async () => {
    const { params, verifier } = authorizationRequest();
    const options = await challenge(params);
    expect(options.public_key).toMatchObject({ rpId: 'localhost', userVerification: 'required', allowCredentials: [] });
    expect(options.expires_in).toBe(300);
    const assertion = await authenticator.get({ challenge: options.public_key.challenge });
    const signedIn = await post('/passkey/sign-in', { client_id: 'demo-app', auth_session: options.auth_session, credential: JSON.stringify(assertion) });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('Cache-Control')).toBe('no-store');
    const answer = (await signedIn.json()) as { code: string; state: string; iss: string };
    expect(answer.state).toBe(params.state);
    expect(answer.iss).toBe(server.issuer);
    const tokens = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'demo-app', code: answer.code, redirect_uri: REDIRECT, code_verifier: verifier }),
    });
    expect(tokens.status).toBe(200);
    const body = (await tokens.json()) as { access_token: string; id_token: string };
    expect(decodeJwt(body.id_token)).toMatchObject({ sub: userId, nonce: 'n-1' });

    // The same assertion again: the challenge is spent.
    await expectError(await post('/passkey/sign-in', { client_id: 'demo-app', auth_session: options.auth_session, credential: JSON.stringify(assertion) }), 400, 'invalid_grant');
  });

  it('refuses another client\'s auth_session, a forged one, missing fields, and a wrong origin', async () => {
    const options = await challenge(authorizationRequest().params);
    const assertion = JSON.stringify(await authenticator.get({ challenge: options.public_key.challenge }));
    await expectError(await post('/passkey/sign-in', { client_id: 'partner-app', auth_session: options.auth_session, credential: assertion }), 400, 'invalid_grant');
    await expectError(await post('/passkey/sign-in', { client_id: 'demo-app', auth_session: `${options.auth_session}x`, credential: assertion }), 400, 'invalid_grant');
    await expectError(await post('/passkey/sign-in', { client_id: 'demo-app', auth_session: options.auth_session }), 400, 'invalid_request');
    const foreign = await authenticator.get({ challenge: options.public_key.challenge, origin: 'https://evil.example' });
    await expectError(await post('/passkey/sign-in', { client_id: 'demo-app', auth_session: options.auth_session, credential: JSON.stringify(foreign) }), 400, 'invalid_grant');
  });

  it('validates the authorization request as /authorize does, answering JSON errors', async () => {
    await expectError(await post('/passkey/challenge', { ...authorizationRequest().params, redirect_uri: 'https://evil.example/cb' }), 400, 'invalid_request');
    const { code_challenge: _, ...withoutPkce } = authorizationRequest().params;
    const refused = await post('/passkey/challenge', withoutPkce);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('Location')).toBeNull();
    const wrongMethod = await fetch(`${base}/passkey/challenge`);
    expect(wrongMethod.status).toBe(405);
  });
});
