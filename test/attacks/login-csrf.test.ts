/**
 * RFC 6749 section 10.12 (cross-site request forgery) on the login form, and session fixation:
 * the login POST is bound to the pending request of the browser that started it (a `__Host-`
 * SameSite cookie plus the request id only our page shows); a foreign Origin is refused outright;
 * `Origin: null` (what browsers send from a no-referrer page) passes only with both. After a
 * sign-in the browser always holds a brand-new session, whatever cookie it arrived with. The
 * consent form (POST /consent) is held to the same rules, and cannot be reached without the password.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { freshIp } from '../helpers/values';
import { DEMO_CLAIMED_REDIRECT, ISSUER, PARTNER, PARTNER_CLAIMED_REDIRECT } from '../helpers/fixtures';
import { call, cookieFrom, form, LOGIN_COOKIE, SESSION_COOKIE } from '../helpers/http';
import { authorizePath, defaultAuthorization, type PendingLogin, reachConsent, startLogin, submitConsent, submitLogin } from '../helpers/flow';
import { expectErrorPage } from '../helpers/assertions';
import { insertUsers } from '../helpers/storage';

const VICTIM = { email: 'csrf.victim@example.com', password: 'csrf-victim-pw' };
const ATTACKER = { email: 'csrf.attacker@example.com', password: 'csrf-attacker-pw' };
/** Each sign-in from an address of its own, so the file stays under the per-network limit. */
const ip = () => ({ 'CF-Connecting-IP': freshIp() });

function login(pending: PendingLogin, credentials = VICTIM, headers: Record<string, string> = {}, fields: Record<string, string> = {}) {
  return submitLogin(pending, { ...credentials, ...fields }, { ...ip(), ...headers });
}

/** The pending request still works afterwards: a refused forgery neither spent it nor signed anyone in. */
async function expectStillPending(pending: PendingLogin): Promise<void> {
  expect((await login(pending)).status).toBe(303);
}

function setCookieNamed(response: Response, name: string): string | undefined {
  return response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
}

/** The user a session cookie signs in, read off a code issued through single sign-on. */
async function userOfSession(sessionCookie: string): Promise<string | undefined> {
  const { params, verifier } = await defaultAuthorization({ prompt: 'none', scope: 'openid', redirect_uri: DEMO_CLAIMED_REDIRECT });
  const response = await call(authorizePath(params), { headers: { Cookie: sessionCookie } });
  const location = new URL(response.headers.get('Location')!);
  const code = location.searchParams.get('code');
  if (!code) return undefined;
  const tokens = await call('/oauth/token', form({ grant_type: 'authorization_code', client_id: 'demo-app', code, redirect_uri: params.redirect_uri!, code_verifier: verifier }));
  const { id_token } = (await tokens.json()) as { id_token: string };
  return JSON.parse(atob(id_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).sub as string;
}

/** Consent is remembered per user and client: every consent test signs in as a user of its own. */
let consentUsers = 0;
async function consentingUser(): Promise<string> {
  const email = `csrf.consent.${++consentUsers}@example.com`;
  await insertUsers({ [email]: VICTIM.password });
  return email;
}

async function atConsent(overrides = {}) {
  return reachConsent(await consentingUser(), VICTIM.password, overrides, freshIp());
}

beforeAll(async () => {
  await insertUsers({ [VICTIM.email]: VICTIM.password, [ATTACKER.email]: ATTACKER.password });
});

describe('cross-site login POSTs (RFC 6749 section 10.12)', () => {
  it('a cross-site form post (foreign Origin, no cookie under SameSite=Lax) is refused with 403', async () => {
    const pending = await startLogin();
    const response = await login({ ...pending, cookie: '' }, VICTIM, { Origin: 'https://evil.example' });
    await expectErrorPage(response, 403);
    expect(setCookieNamed(response, SESSION_COOKIE)).toBeUndefined();
  });

  it.each([
    'https://evil.example',
    'https://auth.example.test.evil.example',
    'https://evil-auth.example.test',
    'https://sub.auth.example.test',
    'http://auth.example.test',
    'https://auth.example.test:8443',
    'https://auth.example.tes',
    'https://AUTH.EXAMPLE.TEST',
    'https://auth.example.test/',
    'https://auth.example.test, https://evil.example',
    'https://auth.example.test https://evil.example',
    'null, https://evil.example',
    'Null',
    'file://',
  ])('refuses Origin %j even with the right cookie and id, and leaves the request pending', async (origin) => {
    const pending = await startLogin();
    const response = await login(pending, VICTIM, { Origin: origin });
    await expectErrorPage(response, 403);
    expect(setCookieNamed(response, SESSION_COOKIE)).toBeUndefined();
    await expectStillPending(pending);
  });

  it('accepts our own Origin, Origin: null and no Origin only with the right cookie and id', async () => {
    for (const origin of [ISSUER, 'null', undefined]) {
      const headers: Record<string, string> = origin === undefined ? {} : { Origin: origin };
      const pending = await startLogin();
      const other = await startLogin();
      await expectErrorPage(await login({ ...pending, cookie: '' }, VICTIM, headers));
      await expectErrorPage(await login(pending, VICTIM, headers, { request_id: other.requestId }));
      await expectErrorPage(await login({ ...pending, cookie: other.cookie }, VICTIM, headers));
      expect((await login(pending, VICTIM, headers)).status).toBe(303);
    }
  });

  it.each([
    ['text/plain', 'request_id=x&email=a&password=b'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na\r\n--x--'],
    ['application/json', '{"email":"a"}'],
  ])('a body a cross-site form or fetch could send as %s is refused', async (contentType, body) => {
    const pending = await startLogin();
    const response = await call('/login', { method: 'POST', headers: { Cookie: pending.cookie, 'Content-Type': contentType, Origin: 'null' }, body });
    await expectErrorPage(response);
    await expectStillPending(pending);
  });
});

describe('the login POST is bound to this browser’s pending request', () => {
  it('the attacker’s own request id with the victim’s cookie is refused', async () => {
    const victim = await startLogin();
    const attacker = await startLogin();
    await expectErrorPage(await login(victim, ATTACKER, {}, { request_id: attacker.requestId }));
    await expectStillPending(victim);
  });

  it.each([
    ['empty', () => ''],
    ['upper-cased', (id: string) => id.toUpperCase()],
    ['with a trailing space', (id: string) => `${id} `],
    ['truncated', (id: string) => id.slice(0, -1)],
    ['extended', (id: string) => `${id}A`],
    ['one character changed', (id: string) => `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`],
    ['percent-encoded', (id: string) => encodeURIComponent(id).replace(/[A-Za-z]/, (ch) => `%${ch.charCodeAt(0).toString(16)}`)],
  ])('a request id %s is refused', async (_name, mutate) => {
    const pending = await startLogin();
    await expectErrorPage(await login(pending, VICTIM, {}, { request_id: mutate(pending.requestId) }));
    await expectStillPending(pending);
  });

  it('a post without the request id at all is refused', async () => {
    const pending = await startLogin();
    const response = await call('/login', form({ ...VICTIM }, { headers: { Cookie: pending.cookie } }));
    await expectErrorPage(response);
  });

  it('the sealed request is read only from the __Host- cookie: a plain-named copy (settable from a sibling domain) is ignored', async () => {
    const pending = await startLogin();
    const value = pending.cookie.slice(`${LOGIN_COOKIE}=`.length);
    for (const cookie of [`edge-auth-login=${value}`, `__Secure-edge-auth-login=${value}`, `__host-edge-auth-login=${value}`]) {
      await expectErrorPage(await login({ ...pending, cookie }, VICTIM));
    }
    await expectStillPending(pending);
  });

  it('a value sealed for the logout confirmation is not a pending login request, and the other way round', async () => {
    // A signed-in browser without an ID token hint gets a confirmation sealed with the same key.
    const signedIn = await login(await startLogin());
    const session = cookieFrom(signedIn, SESSION_COOKIE);
    const page = await call('/logout', { headers: { Cookie: session } });
    const confirmation = /name="confirmation" value="([^"]+)"/.exec(await page.text())![1]!;
    const pending = await startLogin();
    await expectErrorPage(await login({ ...pending, cookie: `${LOGIN_COOKIE}=${confirmation}` }, VICTIM));
    const loginValue = pending.cookie.slice(`${LOGIN_COOKIE}=`.length);
    const confirmed = await call('/logout', form({ confirmation: loginValue }, { headers: { Cookie: session } }));
    await expectErrorPage(confirmed);
    expect(setCookieNamed(confirmed, SESSION_COOKIE)).toBeUndefined();
  });

  it('the cookies are __Host-, Secure, HttpOnly, SameSite=Lax, Path=/ and carry no Domain', async () => {
    const { params } = await defaultAuthorization();
    const authorized = await call(authorizePath(params));
    const pending = await startLogin();
    const signedIn = await login(pending);
    for (const header of [setCookieNamed(authorized, LOGIN_COOKIE)!, setCookieNamed(signedIn, SESSION_COOKIE)!]) {
      expect(header).toMatch(/^__Host-/);
      expect(header).toMatch(/; Secure(;|$)/);
      expect(header).toMatch(/; HttpOnly(;|$)/);
      expect(header).toMatch(/; SameSite=Lax(;|$)/);
      expect(header).toMatch(/; Path=\/(;|$)/);
      expect(header).not.toMatch(/; Domain=/i);
    }
  });
});

describe('session fixation', () => {
  it('a browser arriving with the attacker’s live session gets a new one, and the attacker’s cookie stays the attacker’s', async () => {
    const attackerLogin = await login(await startLogin(), ATTACKER);
    const planted = cookieFrom(attackerLogin, SESSION_COOKIE);
    // The victim's browser holds the planted cookie and signs in with prompt=login.
    const pending = await startLogin({ prompt: 'login' });
    const response = await login({ ...pending, cookie: `${pending.cookie}; ${planted}` });
    expect(response.status).toBe(303);
    const fresh = cookieFrom(response, SESSION_COOKIE);
    expect(fresh).not.toBe(planted);
    expect(fresh.split('=')[1]!.split('.')[1]).not.toBe(planted.split('=')[1]!.split('.')[1]);
    expect(await userOfSession(fresh)).toBe(`user_${VICTIM.email.replace(/[^a-z0-9]/g, '_')}`);
    expect(await userOfSession(planted)).toBe(`user_${ATTACKER.email.replace(/[^a-z0-9]/g, '_')}`);
  });

  it('a made-up session cookie is replaced, never adopted', async () => {
    const made = `${SESSION_COOKIE}=${'F'.repeat(22)}.${'G'.repeat(43)}`;
    const pending = await startLogin();
    const response = await login({ ...pending, cookie: `${pending.cookie}; ${made}` });
    expect(response.status).toBe(303);
    const fresh = cookieFrom(response, SESSION_COOKIE);
    expect(fresh).not.toBe(made);
    expect(fresh).not.toContain('F'.repeat(22));
    expect(await userOfSession(made)).toBeUndefined();
  });

  it('every sign-in of the same browser starts a different session', async () => {
    const first = cookieFrom(await login(await startLogin()), SESSION_COOKIE);
    const pending = await startLogin({ prompt: 'login' });
    const second = cookieFrom(await login({ ...pending, cookie: `${pending.cookie}; ${first}` }), SESSION_COOKIE);
    expect(second).not.toBe(first);
  });

  it('the pending-request cookie is cleared by the sign-in, and replayed it issues that account no second code', async () => {
    const pending = await startLogin();
    const response = await login(pending);
    expect(setCookieNamed(response, LOGIN_COOKIE)).toMatch(/Max-Age=0/);
    await expectErrorPage(await login(pending));
  });

  // A documented limit of codes living in the user's object (SECURITY.md): the request id is single
  // use per account, not globally, so a pending-request cookie copied out of the browser before
  // the sign-in could still sign in another account within its 10 minutes. The browser itself no
  // longer holds it: the next person at the device starts afresh.
  it('the next person at the device has no pending request to reuse', async () => {
    const pending = await startLogin();
    const response = await login(pending);
    const cleared = setCookieNamed(response, LOGIN_COOKIE)!;
    expect(cleared).toMatch(/Max-Age=0/);
    const next = await call('/login', { headers: { Cookie: cleared.split(';')[0]! } });
    await expectErrorPage(next);
  });
});

describe('cross-site consent POSTs (OIDC Core section 3.1.2.4, RFC 6749 section 10.12)', () => {
  it.each(['https://evil.example', 'https://auth.example.test.evil.example', 'http://auth.example.test'])(
    'a consent posted with Origin %j is refused with 403 and the request stays pending',
    async (origin) => {
      const consent = await atConsent();
      const response = await submitConsent(consent, 'allow', { Origin: origin });
      await expectErrorPage(response, 403);
      expect((await submitConsent(consent, 'allow')).status).toBe(303);
    },
  );

  it('a consent without the cookie, with another request’s id, or as text/plain is refused', async () => {
    const consent = await atConsent();
    const other = await atConsent();
    await expectErrorPage(await submitConsent({ ...consent, cookie: '' }, 'allow'));
    await expectErrorPage(await submitConsent(consent, 'allow', {}, { request_id: other.requestId }));
    await expectErrorPage(await submitConsent({ ...consent, cookie: other.cookie }, 'allow'));
    const plain = await call('/consent', { method: 'POST', headers: { Cookie: consent.cookie, 'Content-Type': 'text/plain' }, body: `request_id=${consent.requestId}&decision=allow` });
    await expectErrorPage(plain);
    const allowed = await submitConsent(consent, 'allow');
    expect(allowed.status).toBe(303);
    expect(new URL(allowed.headers.get('Location')!).searchParams.get('code')).toBeTruthy();
  });

  it('the password step cannot be skipped: the cookie from /authorize is no consent ticket', async () => {
    const pending = await startLogin(PARTNER);
    const response = await call('/consent', form({ request_id: pending.requestId, decision: 'allow' }, { headers: { Cookie: pending.cookie } }));
    await expectErrorPage(response);
    await expectErrorPage(await call('/consent', { headers: { Cookie: pending.cookie } }));
  });

  it('allow by GET is no consent', async () => {
    const consent = await atConsent();
    const response = await call(`/consent?request_id=${consent.requestId}&decision=allow`, { headers: { Cookie: consent.cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('a consent is used once: the same allow twice gives one code', async () => {
    const consent = await atConsent();
    const [first, second] = [await submitConsent(consent, 'allow'), await submitConsent(consent, 'allow')];
    expect(first.status).toBe(303);
    await expectErrorPage(second);
  });

  it('a consent remembered for some scopes does not cover more: prompt=none then answers consent_required', async () => {
    const consent = await atConsent();
    expect((await submitConsent(consent, 'allow')).status).toBe(303);
    const { params } = await defaultAuthorization({ ...PARTNER, redirect_uri: PARTNER_CLAIMED_REDIRECT, scope: 'openid email read:items', prompt: 'none' });
    const response = await call(authorizePath(params), { headers: { Cookie: consent.session } });
    expect(new URL(response.headers.get('Location')!).searchParams.get('error')).toBe('consent_required');
  });

  // Regression for a finding of this suite (fixed in c7ea2b7): a denial answered access_denied but
  // recorded nothing, so the same sealed cookie and request id, posted again with decision=allow
  // within the request's 10 minutes, got a code although the user had said no and the app had
  // already received access_denied for that state.
  it('a denied consent cannot be turned into an allow by replaying the request', async () => {
    const consent = await atConsent();
    const denied = await submitConsent(consent, 'deny');
    expect(new URL(denied.headers.get('Location')!).searchParams.get('error')).toBe('access_denied');
    const replayed = await submitConsent(consent, 'allow');
    expect(replayed.headers.get('Location') ?? '').not.toContain('code=');
  });
});
