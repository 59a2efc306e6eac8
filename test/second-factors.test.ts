/**
 * Second factors (src/oauth/second-factor.ts, src/routes/second-factor.ts, account-two-step.ts) and
 * how a sign-in is described (RFC 8176 `amr`, OIDC `acr`): enrolment on the account page, the
 * sign-in's second step with its ±1 step window, replay refusal and lock, single-use recovery
 * codes, `acr_values` step-up of a single sign-on session, and clients that require MFA.
 */
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACR_MULTI_FACTOR, ACR_SINGLE_FACTOR } from '../src/oauth/authentication-methods';
import { expectCodeRedirect, verifiedIdToken } from './helpers/assertions';
import { authorizeWith, pushAuthorization, pushedAuthorizePath, redeemForTokens, refresh, signInForTokens, startLogin, submitConsent, submitLogin, type PendingLogin } from './helpers/flow';
import { call, cookieFrom, LOGIN_COOKIE, SESSION_COOKIE } from './helpers/http';
import { PARTNER } from './helpers/fixtures';
import { sessionIdOf } from './helpers/flow';
import { createClient, management, ok, waitForAudit, eventNames } from './helpers/management';
import { codeAt, enrolOnAccountPage, hiddenValue, post, recoveryCodesOn, secretOn } from './helpers/second-factor';
import { changeSession, insertUsers, readAccount } from './helpers/storage';
import { freshIp, unique } from './helpers/values';

const PASSWORD = 'second-factor-password';
const STEP_MS = 30_000;
/** A moment at the start of a TOTP step, so that a few seconds of test never cross into the next. */
const T0 = Math.floor(Date.UTC(2026, 11, 2, 6) / STEP_MS) * STEP_MS + 1000;

let email: string;
const userIdOf = (address: string) => `user_${address.replace(/[^a-z0-9]/g, '_')}`;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  email = `mfa-${unique()}@example.com`;
  await insertUsers({ [email]: PASSWORD });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Password at the login form: the answer must be the way to the second step, its cookie carrying the request on. */
async function passwordFirst(pending: PendingLogin): Promise<string> {
  const answered = await submitLogin(pending, { email, password: PASSWORD }, { 'CF-Connecting-IP': freshIp() });
  expect(answered.status).toBe(303);
  expect(answered.headers.get('Location')).toBe('/login/second-factor');
  expect(answered.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  return cookieFrom(answered, LOGIN_COOKIE);
}

const submitCode = (cookie: string, requestId: string, fields: Record<string, string>) => post('/login/second-factor', { request_id: requestId, ...fields }, cookie);

async function claimsOf(response: Response, pending: PendingLogin) {
  expect(response.status, await response.clone().text()).toBe(303);
  const location = new URL(response.headers.get('Location')!);
  const tokens = await redeemForTokens({ code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: pending.params.redirect_uri!, location });
  return { claims: await verifiedIdToken(tokens.id_token!), tokens, session: cookieFrom(response, SESSION_COOKIE) };
}

describe('amr and acr in ID tokens', () => {
  it('a password sign-in says pwd and the single-factor level, in the code’s ID token and after a refresh', async () => {
    const tokens = await signInForTokens({ scope: 'openid offline_access read:items' }, { email, password: PASSWORD });
    const claims = await verifiedIdToken(tokens.id_token!);
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.acr).toBe(ACR_SINGLE_FACTOR);
    const refreshed = (await (await refresh(tokens.refresh_token!)).json()) as { id_token: string };
    const again = await verifiedIdToken(refreshed.id_token);
    expect([again.amr, again.acr]).toEqual([['pwd'], ACR_SINGLE_FACTOR]);
  });

  it('discovery advertises the two acr values and the amr and acr claims', async () => {
    const metadata = (await (await call('/.well-known/openid-configuration')).json()) as { acr_values_supported: string[]; claims_supported: string[] };
    expect(metadata.acr_values_supported).toEqual([ACR_SINGLE_FACTOR, ACR_MULTI_FACTOR]);
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['amr', 'acr']));
  });
});

describe('enrolment and the sign-in’s second step', () => {
  it('enrols on the account page (QR code as SVG, no script) and then a password alone opens no session', async () => {
    const signedIn = await post('/account/sign-in', { email, password: PASSWORD });
    const cookie = cookieFrom(signedIn, SESSION_COOKIE);
    const page = await (await call('/account/two-step', { headers: { Cookie: cookie } })).text();
    expect(page).toMatch(/<svg [^>]*role="img"/);
    expect(page).not.toContain('<script');
    const secret = secretOn(page)!;
    // A wrong first code saves nothing.
    const wrong = await post('/account/two-step', { token: hiddenValue(page, 'token')!, code: '000000' === (await codeAt(secret, T0)) ? '111111' : '000000' }, cookie);
    expect(wrong.status).toBe(401);
    expect((await readAccount(userIdOf(email)))?.factors?.totp).toBeUndefined();
    const enrolled = await post('/account/two-step', { token: hiddenValue(page, 'token')!, code: await codeAt(secret, T0) }, cookie);
    const codes = recoveryCodesOn(await enrolled.text());
    expect(codes).toHaveLength(10);
    const stored = (await readAccount(userIdOf(email)))!.factors!;
    // Stored hashed: no recovery code appears in the object.
    expect(JSON.stringify(stored)).not.toContain(codes[0]!.replace('-', ''));
    expect(stored.recoveryCodes).toHaveLength(10);
    expect(await (await call('/account', { headers: { Cookie: cookie } })).text()).toContain('Recovery codes left: 10');

    const pending = await startLogin();
    await passwordFirst(pending);
  });

  it('accepts a code of the step before or after now, refuses one two steps away, and refuses a step used before (replay)', async () => {
    const { secret } = await enrolOnAccountPage(email, PASSWORD);
    vi.setSystemTime(T0 + 3 * STEP_MS);
    const pending = await startLogin();
    const cookie = await passwordFirst(pending);
    const tooLate = await submitCode(cookie, pending.requestId, { code: await codeAt(secret, T0 + 5 * STEP_MS) });
    expect(tooLate.status).toBe(401);
    expect(await tooLate.text()).toContain('That code is not right, or it was already used.');
    const previous = await submitCode(cookie, pending.requestId, { code: await codeAt(secret, T0 + 2 * STEP_MS) });
    const { claims } = await claimsOf(previous, pending);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe(ACR_MULTI_FACTOR);

    // The same code again (and any of an earlier step) is refused; the next step's is accepted.
    const second = await startLogin();
    const secondCookie = await passwordFirst(second);
    expect((await submitCode(secondCookie, second.requestId, { code: await codeAt(secret, T0 + 2 * STEP_MS) })).status).toBe(401);
    expect((await submitCode(secondCookie, second.requestId, { code: await codeAt(secret, T0 + 4 * STEP_MS) })).status).toBe(303);
    const third = await startLogin();
    const thirdCookie = await passwordFirst(third);
    expect((await submitCode(thirdCookie, third.requestId, { code: await codeAt(secret, T0 + 3 * STEP_MS) })).status).toBe(401);
  });

  it('locks the second factor after 5 wrong codes, apart from the password’s lock', async () => {
    const { secret } = await enrolOnAccountPage(email, PASSWORD);
    vi.setSystemTime(T0 + 2 * STEP_MS);
    const right = await codeAt(secret, T0 + 2 * STEP_MS);
    const wrong = right === '123456' ? '654321' : '123456';
    for (let i = 0; i < 5; i++) {
      // A right password between the guesses does not clear their count.
      const pending = await startLogin();
      const cookie = await passwordFirst(pending);
      expect((await submitCode(cookie, pending.requestId, { code: wrong })).status).toBe(401);
    }
    const pending = await startLogin();
    const cookie = await passwordFirst(pending);
    expect((await submitCode(cookie, pending.requestId, { code: right })).status).toBe(401);
  });

  it('a user blocked between the password and the code gets no session', async () => {
    const { secret } = await enrolOnAccountPage(email, PASSWORD);
    vi.setSystemTime(T0 + STEP_MS);
    const pending = await startLogin();
    const cookie = await passwordFirst(pending);
    expect((await management('PATCH', `/users/${userIdOf(email)}`, { blocked: true })).status).toBe(200);
    const answered = await submitCode(cookie, pending.requestId, { code: await codeAt(secret, T0 + STEP_MS) });
    expect(answered.status).toBe(401);
    expect(answered.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  });

  it('a recovery code signs in once', async () => {
    const { recoveryCodes } = await enrolOnAccountPage(email, PASSWORD);
    const pending = await startLogin();
    const cookie = await passwordFirst(pending);
    const page = await (await call('/login/second-factor?recovery=1', { headers: { Cookie: cookie } })).text();
    expect(page).toContain('name="recovery_code"');
    const used = await submitCode(cookie, pending.requestId, { recovery_code: recoveryCodes[3]!.toUpperCase() });
    const { claims } = await claimsOf(used, pending);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect((await readAccount(userIdOf(email)))!.factors!.recoveryCodes).toHaveLength(9);

    const again = await startLogin();
    const againCookie = await passwordFirst(again);
    expect((await submitCode(againCookie, again.requestId, { recovery_code: recoveryCodes[3]! })).status).toBe(401);
  });

  it('turning it off needs the password or a code; then the password alone signs in again', async () => {
    const { cookie } = await enrolOnAccountPage(email, PASSWORD);
    const refused = await post('/account/two-step/remove', { current_password: 'not it' }, cookie);
    expect(refused.status).toBe(401);
    const removed = await post('/account/two-step/remove', { current_password: PASSWORD }, cookie);
    expect(removed.headers.get('Location')).toBe('/account?done=two_step_off');
    expect((await readAccount(userIdOf(email)))?.factors).toBeUndefined();
    const tokens = await signInForTokens({}, { email, password: PASSWORD });
    expect((await verifiedIdToken(tokens.id_token!)).amr).toEqual(['pwd']);
  });

  it('the account page’s own sign-in asks for the code too', async () => {
    const { secret } = await enrolOnAccountPage(email, PASSWORD);
    vi.setSystemTime(T0 + STEP_MS);
    const first = await post('/account/sign-in', { email, password: PASSWORD });
    expect(first.status).toBe(200);
    expect(first.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
    const token = hiddenValue(await first.text(), 'token')!;
    const second = await post('/account/second-factor', { token, code: await codeAt(secret, T0 + STEP_MS) });
    expect(second.headers.get('Location')).toBe('/account?done=signed_in');
    expect(cookieFrom(second, SESSION_COOKIE)).toBeTruthy();
  });

  it('the account page’s second step takes a recovery code too', async () => {
    const { recoveryCodes } = await enrolOnAccountPage(email, PASSWORD);
    const first = await post('/account/sign-in', { email, password: PASSWORD });
    const token = hiddenValue(await first.text(), 'token')!;
    const recoveryPage = await post('/account/second-factor', { token, show: 'recovery' });
    expect(await recoveryPage.text()).toContain('name="recovery_code"');
    const second = await post('/account/second-factor', { token, recovery_code: recoveryCodes[0]! });
    expect(second.headers.get('Location')).toBe('/account?done=signed_in');
  });
});

describe('acr_values and clients that require MFA', () => {
  it('acr_values asking for MFA steps a password session up: no silent code, prompt=none answers interaction_required', async () => {
    const { sessionCookie } = await signInForTokens({}, { email, password: PASSWORD });
    const silent = await authorizeWith(sessionCookie, { acr_values: ACR_SINGLE_FACTOR });
    expectCodeRedirect(silent.response, silent.verifier);
    const none = await authorizeWith(sessionCookie, { acr_values: ACR_MULTI_FACTOR, prompt: 'none' });
    expect(new URL(none.response.headers.get('Location')!).searchParams.get('error')).toBe('interaction_required');
    const stepUp = await authorizeWith(sessionCookie, { acr_values: ACR_MULTI_FACTOR });
    expect(stepUp.response.status).toBe(302);
    expect(stepUp.response.headers.get('Location')).toBe('/login/second-factor');
    // The user has no factor yet: the step is enrolment.
    const page = await (await call('/login/second-factor', { headers: { Cookie: cookieFrom(stepUp.response) } })).text();
    expect(page).toContain('Set up an authenticator app');
  });

  it('a pushed request (PAR) with acr_values steps up the same way', async () => {
    const { sessionCookie } = await signInForTokens({}, { email, password: PASSWORD });
    const pushed = await pushAuthorization({ redirect_uri: 'https://demo.example.com/callback', acr_values: ACR_MULTI_FACTOR });
    const response = await call(pushedAuthorizePath('demo-app', pushed.requestUri), { headers: { Cookie: sessionCookie } });
    expect(response.headers.get('Location')).toBe('/login/second-factor');
  });

  it('max_age is honoured: a session older than it signs in again, even a multi-factor one', async () => {
    const { sessionCookie } = await signInForTokens({}, { email, password: PASSWORD });
    await changeSession(sessionIdOf(sessionCookie), (stored) => ({ ...stored, authTime: stored.authTime - 600, amr: ['pwd', 'otp', 'mfa'] }));
    const fresh = await authorizeWith(sessionCookie, { max_age: '900' });
    const issued = expectCodeRedirect(fresh.response, fresh.verifier);
    const claims = await verifiedIdToken((await redeemForTokens(issued)).id_token!);
    expect([claims.amr, claims.acr]).toEqual([['pwd', 'otp', 'mfa'], ACR_MULTI_FACTOR]);
    const stale = await authorizeWith(sessionCookie, { max_age: '300' });
    expect(stale.response.headers.get('Location')).toBe('/login');
  });

  it('the methods reach the code issued after consent (a third-party app)', async () => {
    const { secret } = await enrolOnAccountPage(email, PASSWORD);
    vi.setSystemTime(T0 + STEP_MS);
    const pending = await startLogin(PARTNER);
    const cookie = await passwordFirst(pending);
    const answered = await submitCode(cookie, pending.requestId, { code: await codeAt(secret, T0 + STEP_MS) });
    expect(answered.headers.get('Location')).toBe('/consent');
    const allowed = await submitConsent(
      { cookie: cookieFrom(answered, LOGIN_COOKIE), requestId: pending.requestId, verifier: pending.verifier, session: cookieFrom(answered, SESSION_COOKIE) },
      'allow',
    );
    const location = new URL(allowed.headers.get('Location')!);
    const tokens = await redeemForTokens(
      { code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: PARTNER.redirect_uri, location },
      { client_id: PARTNER.client_id },
    );
    expect(decodeJwt(tokens.id_token!)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: ACR_MULTI_FACTOR });
  });

  it('a session opened before the user enrolled needs the code for single sign-on', async () => {
    const { sessionCookie } = await signInForTokens({}, { email, password: PASSWORD });
    const { secret } = await enrolOnAccountPage(email, PASSWORD);
    vi.setSystemTime(T0 + STEP_MS);
    const { response, verifier, params } = await authorizeWith(sessionCookie);
    expect(response.headers.get('Location')).toBe('/login/second-factor');
    const cookie = cookieFrom(response);
    const page = await (await call('/login/second-factor', { headers: { Cookie: cookie } })).text();
    const requestId = hiddenValue(page, 'request_id')!;
    const answered = await submitCode(cookie, requestId, { code: await codeAt(secret, T0 + STEP_MS) });
    const { claims } = await claimsOf(answered, { cookie, requestId, verifier, params });
    expect(claims.acr).toBe(ACR_MULTI_FACTOR);
  });

  it('a client with require_mfa leads a user without a factor to enrol, shows the recovery codes, then issues the code', async () => {
    const client = await createClient({ require_mfa: true, redirect_uris: ['https://mfa.example.com/callback'], scopes: ['openid'] });
    expect((client as unknown as { require_mfa: boolean }).require_mfa).toBe(true);
    const pending = await startLogin({ client_id: client.id, redirect_uri: 'https://mfa.example.com/callback', scope: 'openid' });
    const cookie = await passwordFirst(pending);
    const page = await (await call('/login/second-factor', { headers: { Cookie: cookie } })).text();
    expect(page).toContain(`${client.name} asks for a second step when you sign in.`);
    // The page keeps its secret in the request's cookie.
    const enrolCookie = cookieFrom(await call('/login/second-factor', { headers: { Cookie: cookie } }));
    const secret = secretOn(await (await call('/login/second-factor', { headers: { Cookie: enrolCookie } })).text())!;
    const enrolled = await post('/login/second-factor/enrol', { request_id: pending.requestId, code: await codeAt(secret, T0) }, enrolCookie);
    expect(enrolled.status).toBe(200);
    expect(recoveryCodesOn(await enrolled.text())).toHaveLength(10);
    const session = cookieFrom(enrolled, SESSION_COOKIE);
    const continued = await post('/login/continue', { request_id: pending.requestId }, `${cookieFrom(enrolled)}; ${session}`);
    expect(continued.status).toBe(303);
    const location = new URL(continued.headers.get('Location')!);
    const tokens = await redeemForTokens({ code: location.searchParams.get('code')!, verifier: pending.verifier, redirectUri: 'https://mfa.example.com/callback', location }, { client_id: client.id });
    const claims = decodeJwt(tokens.id_token!);
    expect([claims.amr, claims.acr]).toEqual([['pwd', 'otp', 'mfa'], ACR_MULTI_FACTOR]);
  });
});

describe('the Management API: a user’s factors', () => {
  it('lists them without secrets, requires MFA of one user, and resets them; each step audited', async () => {
    const userId = userIdOf(email);
    expect(await ok(await management('GET', `/users/${userId}/factors`))).toEqual({ totp: null, recovery_codes_left: 0, mfa_required: false });
    const { recoveryCodes, secret } = await enrolOnAccountPage(email, PASSWORD);
    const listed = await ok<Record<string, unknown>>(await management('GET', `/users/${userId}/factors`));
    expect(listed).toEqual({ totp: { created_at: new Date(T0).toISOString(), last_used_at: new Date(T0).toISOString() }, recovery_codes_left: 10, mfa_required: false });
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(JSON.stringify(listed)).not.toContain(recoveryCodes[0]);

    expect(await ok(await management('PATCH', `/users/${userId}/factors`, { mfa_required: true }))).toMatchObject({ mfa_required: true });
    expect((await management('PATCH', `/users/${userId}/factors`, { mfa_required: 'yes' })).status).toBe(400);
    expect((await management('DELETE', `/users/${userId}/factors`)).status).toBe(204);
    expect(await ok(await management('GET', `/users/${userId}/factors`))).toEqual({ totp: null, recovery_codes_left: 0, mfa_required: true });
    expect((await management('GET', '/users/user_nobody_here/factors')).status).toBe(404);

    // Required of this user: the next sign-in to any app leads to enrolment.
    const pending = await startLogin();
    const cookie = await passwordFirst(pending);
    expect(await (await call('/login/second-factor', { headers: { Cookie: cookie } })).text()).toContain('Set up an authenticator app');

    const expected = ['second_factor_enrolled', 'second_factor_removed', 'second_factor_required'];
    const events = await waitForAudit(`user_id=${userId}`, (items) => expected.every((name) => eventNames(items).includes(name)), 200);
    expect(events.find((e) => e.event === 'second_factor_removed')?.detail).toMatchObject({ by: 'operator', had_factor: true });
  });
});
