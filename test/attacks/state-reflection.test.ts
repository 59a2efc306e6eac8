/**
 * RFC 6749 sections 4.1.2 and 10.12: `state` is opaque and comes back exactly as sent, on success
 * and on error, without being able to add or change other response parameters. Nothing an
 * attacker sends is written into our HTML unescaped, and error pages echo no input at all.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { freshIp } from '../helpers/values';
import { DEMO_CLAIMED_REDIRECT, DEMO_REDIRECT, ISSUER, PARTNER } from '../helpers/fixtures';
import { call, cookieFrom, SESSION_COOKIE } from '../helpers/http';
import { type AuthorizationParams, authorizePath, defaultAuthorization, reachConsent, startLogin, submitConsent, submitLogin } from '../helpers/flow';
import { expectErrorPage, expectErrorRedirect, expectPageHeaders } from '../helpers/assertions';
import { insertUsers } from '../helpers/storage';

const USER = { email: 'state@example.com', password: 'state-password' };
/** Each sign-in from an address of its own, so the file stays under the per-network limit. */
const ip = () => ({ 'CF-Connecting-IP': freshIp() });
const XSS = '"><script>alert(1)</script><img src=x onerror=alert(1)>';

const PRINTABLE_ASCII = String.fromCharCode(...Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i));
/** Legal state values (RFC 6749 Appendix A.5: VSCHAR, %x20-7E) chosen to confuse a sloppy encoder. */
const ODD_STATES = [
  PRINTABLE_ASCII,
  '&code=evil&iss=https%3A%2F%2Fevil.example',
  'x&iss=https://evil.example&code=evil',
  '#fragment',
  '?x=y',
  '%41%2541%',
  '+ + +',
  ' leading and trailing ',
  XSS,
  "';alert(1)//",
  'javascript:alert(1)',
  '../../../etc/passwd',
  '\\\\server\\share',
  '=',
  '&',
  'a'.repeat(2048),
  `${PRINTABLE_ASCII.repeat(22)}`.slice(0, 2048),
];
/** Beyond VSCHAR, but still opaque: returned as sent, encoded, never interpreted. */
const UNICODE_STATES = ['é', 'e\u0301', '😀', '\u202e', '\u2028\u2029', 'ﬀ', '\u0000', '\r\nSet-Cookie: x=1', '\t'];

let session: string;
let consentUsers = 0;

async function signInWith(overrides: AuthorizationParams): Promise<URL> {
  const pending = await startLogin(overrides);
  const response = await submitLogin(pending, USER, ip());
  expect(response.status).toBe(303);
  return new URL(response.headers.get('Location')!);
}

/** The parsed response has exactly the state sent, one code or error, and our one iss. */
function expectExactState(location: URL, state: string, redirectUri = DEMO_REDIRECT): void {
  expect(location.searchParams.getAll('state')).toEqual([state]);
  expect(location.searchParams.getAll('iss')).toEqual([ISSUER]);
  expect(location.searchParams.getAll('code').length + location.searchParams.getAll('error').length).toBe(1);
  expect(location.searchParams.get('code') ?? '').not.toBe('evil');
  expect(location.hash).toBe('');
  expect(location.href.split('?')[0]).toBe(redirectUri);
}

beforeAll(async () => {
  await insertUsers({ [USER.email]: USER.password });
  const pending = await startLogin();
  session = cookieFrom(await submitLogin(pending, USER, ip()), SESSION_COOKIE);
});

describe('state is returned exactly (RFC 6749 section 4.1.2)', () => {
  it.each([...ODD_STATES, ...UNICODE_STATES])('after the login form: %j', async (state) => {
    expectExactState(await signInWith({ state }), state);
  });

  it.each([...ODD_STATES, ...UNICODE_STATES])('through single sign-on: %j', async (state) => {
    const { params } = await defaultAuthorization({ state, redirect_uri: DEMO_CLAIMED_REDIRECT });
    const response = await call(authorizePath(params), { headers: { Cookie: session } });
    expect(response.status).toBe(302);
    expectExactState(new URL(response.headers.get('Location')!), state, DEMO_CLAIMED_REDIRECT);
    expect(response.headers.get('Location')).not.toMatch(/[\r\n\0]/);
  });

  it.each([...ODD_STATES, ...UNICODE_STATES])('on an error redirect: %j', async (state) => {
    const { params } = await defaultAuthorization({ state, response_type: 'token' });
    const response = await call(authorizePath(params));
    expectErrorRedirect(response, 'unsupported_response_type', { state });
    expectExactState(new URL(response.headers.get('Location')!), state);
  });

  it.each([ODD_STATES[0]!, ODD_STATES[1]!, XSS, ...UNICODE_STATES.slice(0, 3)])('through the consent page, allowed and denied: %j', async (state) => {
    for (const decision of ['allow', 'deny']) {
      const email = `state.consent.${consentUsers++}@example.com`;
      await insertUsers({ [email]: USER.password });
      const response = await submitConsent(await reachConsent(email, USER.password, { state }, freshIp()), decision);
      const location = new URL(response.headers.get('Location')!);
      expect(location.searchParams.getAll('state')).toEqual([state]);
      expect(location.searchParams.getAll('iss')).toEqual([ISSUER]);
      expect(`${location.protocol}${location.pathname}`).toBe(PARTNER.redirect_uri);
    }
  });

  it('an oversized state is refused, and not returned', async () => {
    const { params } = await defaultAuthorization({ state: 's'.repeat(2049) });
    const error = expectErrorRedirect(await call(authorizePath(params)), 'invalid_request', { state: null });
    expect(error.has('state')).toBe(false);
  });

  it('an empty state is treated as absent (RFC 6749 section 3.1)', async () => {
    const location = await signInWith({ state: '' });
    expect(location.searchParams.has('state')).toBe(false);
  });
});

describe('nothing is reflected into HTML unescaped', () => {
  it('the login page shows none of the request’s state, nonce or redirect URI', async () => {
    const pending = await startLogin({ state: XSS, nonce: XSS });
    const page = await call('/login', { headers: { Cookie: pending.cookie } });
    expectPageHeaders(page);
    // Our own scripts (show password, passkeys), under this response's nonce, are the only ones there may be.
    const html = (await page.text()).replace(/<script nonce="[^"]+" src="\/static\/(show-password|passkeys)\.js\?v=[0-9a-f]+"><\/script>/g, '');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('onerror');
    expect(html).not.toContain('alert(1)');
  });

  it.each([
    ['client_id', { client_id: XSS }],
    ['redirect_uri', { redirect_uri: XSS }],
    ['redirect_uri with a javascript URL', { redirect_uri: `javascript:alert(1)//${XSS}` }],
    ['state with an untrusted redirect_uri', { state: XSS, redirect_uri: 'https://evil.example/cb' }],
  ])('an error page for a bad %s echoes nothing', async (_name, overrides) => {
    const { params } = await defaultAuthorization(overrides);
    const html = await expectErrorPage(await call(authorizePath(params)));
    // The page's one picture is the server's own mark; no other <img> is written.
    expect(html.match(/<img [^>]*>/g)).toEqual(['<img class="logo" src="/favicon.svg" alt="" width="48" height="48">']);
    for (const fragment of ['<script', '<img src=x', 'onerror', 'alert(1)', 'evil.example']) expect(html).not.toContain(fragment);
  });

  it.each([
    ['a markup payload', XSS],
    ['an attribute breakout with single quotes', "' autofocus onfocus='alert(1)"],
    ['an attribute breakout with double quotes', '" autofocus onfocus="alert(1)'],
    ['a closing tag', '</form></main><script>alert(1)</script>'],
    ['an HTML comment', '<!--'],
    ['a CDATA end', ']]>'],
    ['numeric entities', '&#x3C;script&#x3E;'],
  ])('the login form re-shows the email escaped: %s', async (_name, email) => {
    const pending = await startLogin();
    const response = await submitLogin(pending, { email, password: 'wrong' }, ip());
    expect(response.status).toBe(401);
    expectPageHeaders(response);
    const html = await response.text();
    const value = /<input id="email" name="email" type="email"[^>]* value="([^"]*)"/.exec(html)?.[1];
    expect(value, 'the email is inside its attribute').toBeDefined();
    // Decoding the attribute gives back the email: it was escaped, not altered, and stayed inside.
    const decoded = value!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    expect(decoded).toBe(email);
    expect(html).not.toContain('<script>alert');
    // Outside its own value, the tag has no attribute the payload could have added.
    const tag = /<input id="email"[^>]*>/.exec(html)![0].replace(/ value="[^"]*"/, '');
    expect(tag).not.toMatch(/onfocus|onerror|script/);
  });

  it('the consent page shows none of the request’s state or nonce', async () => {
    await insertUsers({ 'state.consent.page@example.com': USER.password });
    const consent = await reachConsent('state.consent.page@example.com', USER.password, { state: XSS, nonce: XSS }, freshIp());
    const page = await call('/consent', { headers: { Cookie: consent.cookie } });
    expectPageHeaders(page);
    const html = await page.text();
    for (const fragment of ['<script', '<img src=x', 'onerror', 'alert(1)']) expect(html).not.toContain(fragment);
  });

  it('the logout pages echo neither state nor the redirect URI', async () => {
    const confirm = await call(`/logout?${new URLSearchParams({ state: XSS })}`, { headers: { Cookie: session } });
    expectPageHeaders(confirm);
    const refused = await call(`/logout?${new URLSearchParams({ client_id: 'demo-app', post_logout_redirect_uri: XSS, state: XSS })}`);
    for (const html of [await confirm.text(), await expectErrorPage(refused)]) {
      expect(html.match(/<img [^>]*>/g)).toEqual(['<img class="logo" src="/favicon.svg" alt="" width="48" height="48">']);
      for (const fragment of ['<script', '<img src=x', 'onerror', 'alert(1)']) expect(html).not.toContain(fragment);
    }
  });

  it('a parameter name is echoed in an error only when it is plain', async () => {
    const { params } = await defaultAuthorization();
    const response = await call(`${authorizePath(params)}&%3Cscript%3E=1&%3Cscript%3E=2`);
    const error = expectErrorRedirect(response, 'invalid_request');
    expect(error.get('error_description')).not.toContain('<');
  });
});

describe('error descriptions carry no attacker-chosen text', () => {
  it.each([
    ['audience', { audience: 'https://evil.example/CALL-SUPPORT' }],
    ['prompt', { prompt: 'CALL-SUPPORT' }],
    ['max_age', { max_age: 'CALL-SUPPORT' }],
    ['response_type', { response_type: 'CALL-SUPPORT' }],
    ['response_mode', { response_mode: 'CALL-SUPPORT' }],
    ['code_challenge_method', { code_challenge_method: 'CALL-SUPPORT' }],
    ['code_challenge', { code_challenge: 'CALL-SUPPORT' }],
  ])('a bad %s is not quoted back', async (_name, overrides) => {
    const { params } = await defaultAuthorization(overrides);
    const error = expectErrorRedirect(await call(authorizePath(params)), undefined);
    expect(error.get('error_description')).not.toContain('CALL-SUPPORT');
  });

  // Regression for a finding of this suite (fixed in 97b44aa): grantScopes (src/oauth/scope.ts)
  // built `The scope ${scope} is not available to this client.`, so a link of an attacker's put
  // text of its choosing (`<>'()/:` included) into the error_description an app receives and may
  // show, e.g. "The scope <b>Your_account_is_locked._Call_+1-555-0100</b> is not available".
  it('a refused scope is not quoted back', async () => {
    const scope = '<b>Your_account_is_locked._Call_+1-555-0100</b>';
    const { params } = await defaultAuthorization({ scope: `read:items ${scope}` });
    const error = expectErrorRedirect(await call(authorizePath(params)), 'invalid_scope');
    expect(error.get('error_description')).not.toContain(scope);
  });
});
