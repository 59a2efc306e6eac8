/**
 * RFC 9700 sections 2.1 and 4.1 (insufficient redirect URI validation), RFC 8252 sections 7.3 and
 * 8.3: the redirect URI must equal a registered one character for character; only a loopback IP
 * literal's port may differ. Every manipulation below must end on a 400 page with no Location,
 * also when the request has a second error that would otherwise be redirected.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/http';
import { authorizePath, defaultAuthorization, obtainCode, redeem } from '../helpers/flow';
import { expectErrorPage } from '../helpers/assertions';
import { insertClient, insertUsers } from '../helpers/storage';

const CUSTOM = 'com.example.demo:/callback';
const LOOPBACK = 'http://127.0.0.1/callback';
const HTTPS = 'https://app.example.com/cb';
const USER = { email: 'redirects@example.com', password: 'redirects-password' };

/** Refused for `client` whatever else the request says: a 400 page, no redirect, nothing echoed. */
async function expectRefused(redirectUri: string, client = 'demo-app'): Promise<void> {
  for (const extra of [{}, { response_type: 'token' }, { prompt: 'none' }, { code_challenge: undefined }]) {
    const { params } = await defaultAuthorization({ client_id: client, redirect_uri: redirectUri, ...extra });
    const html = await expectErrorPage(await call(authorizePath(params)));
    if (redirectUri.length >= 8) expect(html).not.toContain(redirectUri);
    expect(html).not.toContain('evil');
  }
}

async function expectAccepted(redirectUri: string, client = 'demo-app'): Promise<void> {
  const { params } = await defaultAuthorization({ client_id: client, redirect_uri: redirectUri });
  const response = await call(authorizePath(params));
  expect(response.status, redirectUri).toBe(302);
  expect(response.headers.get('Location')).toBe('/login');
}

const hex = (ch: string) => [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

/** Each character of `uri`, percent-encoded in upper and lower case hex, one at a time. */
function percentEncodings(uri: string): string[] {
  const variants = new Set<string>();
  [...uri].forEach((ch, i) => {
    const head = uri.slice(0, i);
    const tail = uri.slice(i + 1);
    variants.add(`${head}${hex(ch)}${tail}`);
    variants.add(`${head}${hex(ch).toLowerCase()}${tail}`);
    // Double encoding: %25XX, which a second decoder would turn into the character.
    variants.add(`${head}${hex(ch).replace('%', '%25')}${tail}`);
  });
  return [...variants];
}

/** Each letter of `uri` in the other case, one at a time. */
function caseFlips(uri: string): string[] {
  return [...uri]
    .map((ch, i) => {
      const flipped = ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase();
      return flipped === ch ? undefined : `${uri.slice(0, i)}${flipped}${uri.slice(i + 1)}`;
    })
    .filter((v): v is string => v !== undefined);
}

/** Characters a lenient parser strips or skips, inserted at every position of `uri`. */
function insertions(uri: string, characters: string[]): string[] {
  const variants: string[] = [];
  for (let i = 0; i <= uri.length; i++) for (const ch of characters) variants.push(`${uri.slice(0, i)}${ch}${uri.slice(i)}`);
  return variants;
}

const SUFFIXES = [
  '/', '//', '?', '?x=1', '#', '#x', '.', '..', '/.', '/..', '/./', '/../', '/x', 'x', ':', ';', ';x', '&', '&x=1', '%', '%2F', '%2f',
  '%00', '%0A', '%0D%0A', '%20', '%23', '%3F', '%2e', '%2e%2e', '+', '\\', '\\..', '@evil.example', '.evil.example', ' ', '\t', '\n',
  '\r', '\r\n', '\u0000', '\u000b', '\u000c', '\u00a0', '\u200b', '\u200e', '\u202e', '\u2028', '\u3000', '\ufeff', '\ufffd', 'ﾟ', '/%2e%2e/evil',
];
const PREFIXES = [' ', '\t', '\n', '\r', '\u0000', '\ufeff', '\u200b', '\u00a0', 'x', '/', '//', 'https://evil.example/?', 'https://evil.example#'];

describe('redirect URI manipulation of the custom scheme URI (RFC 8252 section 7.1)', () => {
  it.each(SUFFIXES.map((s) => `${CUSTOM}${s}`))('suffix: %j', (uri) => expectRefused(uri));
  it.each(PREFIXES.map((p) => `${p}${CUSTOM}`))('prefix: %j', (uri) => expectRefused(uri));
  it.each(percentEncodings(CUSTOM))('percent-encoding: %j', (uri) => expectRefused(uri));
  it.each(caseFlips(CUSTOM))('case: %j', (uri) => expectRefused(uri));

  it.each([
    'com.example.demo:/callback/../callback',
    'com.example.demo:/./callback',
    'com.example.demo:/x/../callback',
    'com.example.demo://callback',
    'com.example.demo:///callback',
    'com.example.demo:callback',
    'com.example.demo:/%2e/callback',
    'com.example.demo:/callback/%2e%2e/callback',
    'com.example.demo:\\callback',
    'com.example.demo:/callback\\',
    'com.example.demo:%2Fcallback',
    'com.example.demo%3A/callback',
    'com.example.demo%253A%252Fcallback',
    'com.example.demo:/callback%2523',
    'com.example.demo:/callback%252F..%252Fevil',
  ])('path traversal and separators: %j', (uri) => expectRefused(uri));

  it.each([
    // Cyrillic а, с, е, о in place of Latin letters; Greek ο; a fullwidth letter; a dotless ı.
    'com.exаmple.demo:/callback',
    'сom.example.demo:/callback',
    'com.example.dеmo:/callback',
    'com.example.demо:/callbacк',
    'com.example.demο:/callback',
    'com.example.demo:/ｃallback',
    'com.example.demo:/callbacｋ',
    'com.example.demo:/cal\u217Cback',
    'com.examp\u0131e.demo:/callback',
    'com.xn--exmple-4nf.demo:/callback',
    // Compatibility forms that NFKC would fold back: Kelvin sign, ligatures, combining marks.
    'com.example.demo:/callbac\u212A',
    'com.example.demo:/ca\u217C\u217Cback',
    'com.example.demo:/callback\u0301',
    'com.example.de\u0301mo:/callback',
    'com.example.demo:/ca\u0300llback',
    'com.example.demo:/callback'.replace('a', '\u00e0').normalize('NFD'),
  ])('homographs and Unicode normalisation: %j', (uri) => expectRefused(uri));

  it.each([
    'com.example.other:/callback',
    'com.example.demox:/callback',
    'xcom.example.demo:/callback',
    'com.example:/callback',
    'com.example.demo.evil:/callback',
    'evil.example.demo:/callback',
  ])('another app’s or a look-alike scheme: %j', (uri) => expectRefused(uri));
});

describe('redirect URI manipulation of the loopback URI (RFC 8252 sections 7.3 and 8.3)', () => {
  it.each(SUFFIXES.map((s) => `${LOOPBACK}${s}`))('suffix: %j', (uri) => expectRefused(uri));
  it.each(PREFIXES.map((p) => `${p}${LOOPBACK}`))('prefix: %j', (uri) => expectRefused(uri));
  it.each(percentEncodings(LOOPBACK))('percent-encoding: %j', (uri) => expectRefused(uri));
  it.each(caseFlips(LOOPBACK))('case: %j', (uri) => expectRefused(uri));
  it.each(SUFFIXES.map((s) => `http://127.0.0.1:51234/callback${s}`))('suffix with a port: %j', (uri) => expectRefused(uri));

  it.each([
    ':0', ':00', ':080', ':08080', ':65536', ':99999', ':100000', ':-1', ':+80', ': 80', ':80 ', ':80a', ':', '::80', ':80:80',
    ':0x50', ':1e3', ':80.0', ':\u0661\u0662\u0663', ':\uFF18\uFF10', ':8080@evil.example', ':%38%30',
  ])('port trick %j', (port) => expectRefused(`http://127.0.0.1${port}/callback`));

  it.each([
    'http://localhost/callback',
    'http://localhost:8080/callback',
    'http://LOCALHOST:8080/callback',
    'http://localhost.:8080/callback',
    'http://localhost.localdomain/callback',
    'http://127.1/callback',
    'http://127.0.1/callback',
    'http://127.0.0.01/callback',
    'http://0177.0.0.1/callback',
    'http://0x7f.0.0.1/callback',
    'http://0x7f000001/callback',
    'http://2130706433/callback',
    'http://127.0.0.1./callback',
    'http://127.0.0.2/callback',
    'http://127.255.255.254/callback',
    'http://0.0.0.0/callback',
    'http://0/callback',
    'http://[::1]/callback',
    'http://[::1]:8080/callback',
    'http://[0:0:0:0:0:0:0:1]/callback',
    'http://[::ffff:127.0.0.1]/callback',
    'http://[::ffff:7f00:1]/callback',
    'http://[::1%25lo0]/callback',
    'http://127.0.0.1.nip.io/callback',
    'http://127.0.0.1.evil.example/callback',
    'http://evil.example/127.0.0.1/callback',
    'http://127。0。0。1/callback',
    'http://１２７.０.０.１/callback',
    'http://127%2E0%2E0%2E1/callback',
    'http://ⅼocalhost/callback',
  ])('loopback look-alike %j', (uri) => expectRefused(uri));

  it.each([
    'http://127.0.0.1@evil.example/callback',
    'http://127.0.0.1:80@evil.example/callback',
    'http://evil.example@127.0.0.1/callback',
    'http://user:pass@127.0.0.1/callback',
    'http://@127.0.0.1/callback',
    'http://127.0.0.1%40evil.example/callback',
    'http://127.0.0.1\\@evil.example/callback',
    'http://127.0.0.1#@evil.example/callback',
    'http://127.0.0.1?@evil.example/callback',
  ])('userinfo trick %j', (uri) => expectRefused(uri));

  it.each([
    'https://127.0.0.1/callback',
    'HTTP://127.0.0.1/callback',
    'http:/127.0.0.1/callback',
    'http:127.0.0.1/callback',
    'http:\\\\127.0.0.1\\callback',
    'http://127.0.0.1\\callback',
    'http:///127.0.0.1/callback',
    '//127.0.0.1/callback',
    'ws://127.0.0.1/callback',
    'ftp://127.0.0.1/callback',
    'file://127.0.0.1/callback',
    'http://127.0.0.1/callback/../evil',
    'http://127.0.0.1/callback/%2e%2e/evil',
    'http://127.0.0.1//callback',
    'http://127.0.0.1/./callback',
    'http://127.0.0.1/x/../callback',
    'http://127.0.0.1/callback;jsessionid=1',
  ])('scheme, slash and path trick %j', (uri) => expectRefused(uri));
});

describe('redirect URI manipulation of a claimed https URI (RFC 8252 section 7.2)', () => {
  it.each(SUFFIXES.map((s) => `${HTTPS}${s}`))('suffix: %j', (uri) => expectRefused(uri, 'redirect-app'));
  it.each(percentEncodings(HTTPS))('percent-encoding: %j', (uri) => expectRefused(uri, 'redirect-app'));
  it.each(caseFlips(HTTPS))('case: %j', (uri) => expectRefused(uri, 'redirect-app'));

  it.each([
    'https://app.example.com:443/cb',
    'https://app.example.com:8443/cb',
    'http://app.example.com/cb',
    'https://app.example.com./cb',
    'https://app.example.com.evil.example/cb',
    'https://app.example.com@evil.example/cb',
    'https://evil.example@app.example.com/cb',
    'https://evil.example/?https://app.example.com/cb',
    'https://evil.example/https://app.example.com/cb',
    'https://evil.example#https://app.example.com/cb',
    'https://sub.app.example.com/cb',
    'https://example.com/cb',
    'https://аpp.example.com/cb',
    'https://xn--pp-7kc.example.com/cb',
    'https://app.exаmple.com/cb',
    'https://app.example.com\\@evil.example/cb',
    'https://app.example.com%2F@evil.example/cb',
    'https://app.example.com/cb/../../evil',
    'https:app.example.com/cb',
    'https:/app.example.com/cb',
    'https:///app.example.com/cb',
    '//app.example.com/cb',
    'https://app.example.com\u3002/cb',
    'https://ａｐｐ.example.com/cb',
  ])('host and authority trick %j', (uri) => expectRefused(uri, 'redirect-app'));
});

describe('whitespace, control characters and null bytes anywhere in the URI', () => {
  const CONTROLS = ['\u0000', '\t', '\n', '\r', '\u001f', '\u007f', ' ', '\u200b', '\ufeff'];
  it.each(insertions(CUSTOM, CONTROLS))('custom scheme with %j', (uri) => expectRefused(uri));
  it.each(insertions(LOOPBACK, CONTROLS))('loopback with %j', (uri) => expectRefused(uri));
});

describe('dangerous schemes and non-URIs', () => {
  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(document.domain)//com.example.demo:/callback',
    'javascript://com.example.demo:/callback%0Aalert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'blob:https://evil.example/0000',
    'about:blank',
    'intent://callback#Intent;scheme=com.example.demo;end',
    'com.example.demo:javascript:alert(1)',
    'https://evil.example/callback',
    '//evil.example',
    '/\\evil.example',
    '/callback',
    'callback',
    '*',
    'com.example.demo:/*',
    'http://127.0.0.1:*/callback',
    'http://*/callback',
    '\u0000',
    '%00',
    ' ',
  ])('%j', (uri) => expectRefused(uri));
});

describe('query-string tricks that rely on the server decoding the parameter', () => {
  async function rawRefused(rawRedirect: string): Promise<void> {
    const { params } = await defaultAuthorization({ redirect_uri: undefined });
    await expectErrorPage(await call(`${authorizePath(params)}&redirect_uri=${rawRedirect}`));
  }

  it.each([
    'com.example.demo:/callback%23x',
    'com.example.demo:/callback+',
    'com.example.demo:/callback%2B',
    'com.example.demo:/callback%00',
    'com.example.demo:/callback%0d%0aLocation:%20https://evil.example',
    'com.example.demo:/callback;redirect_uri=https://evil.example',
    'com.example.demo:/callback%26redirect_uri%3Dhttps://evil.example',
    'com.example.demo:/callback&redirect_uri=https://evil.example',
    'https://evil.example&redirect_uri=com.example.demo:/callback',
    'com.example.demo:/callback&redirect_uri=com.example.demo:/callback',
    'com.example.demo:/callback%',
    'com.example.demo:/callback%G0',
    'com.example.demo:/callback%C0%AF',
    'com.example.demo:/callback%ED%A0%80',
    'com.example.demo%3a%2fcallback%3f',
  ])('%s', (raw) => rawRefused(raw));

  it('a redirect_uri spelled with another case or padding in its name is no redirect_uri', async () => {
    const { params } = await defaultAuthorization({ redirect_uri: undefined });
    for (const name of ['Redirect_uri', 'REDIRECT_URI', 'redirect_uri ', ' redirect_uri', 'redirect_uri[]', 'redirect-uri', 'redirect_url']) {
      await expectErrorPage(await call(`${authorizePath(params)}&${name}=${encodeURIComponent(CUSTOM)}`));
    }
  });

  it('a registered URI before or after an evil one is still a repeated parameter', async () => {
    const { params } = await defaultAuthorization({ redirect_uri: undefined });
    const base = authorizePath(params);
    await expectErrorPage(await call(`${base}&redirect_uri=${encodeURIComponent(CUSTOM)}&redirect_uri=https://evil.example`));
    await expectErrorPage(await call(`${base}&redirect_uri=https://evil.example&redirect_uri=${encodeURIComponent(CUSTOM)}`));
    await expectErrorPage(await call(`${base}&redirect_uri=${encodeURIComponent(CUSTOM)}&redirect_uri=${encodeURIComponent(CUSTOM)}`));
    await expectErrorPage(await call(`${base}&redirect_uri=${encodeURIComponent(CUSTOM)}&redirect_uri=`));
  });
});

describe('loopback redirects: any port, for IP literals only (RFC 8252 section 7.3)', () => {
  it.each(['1', '80', '443', '1024', '8080', '49152', '51234', '65535'])('accepts 127.0.0.1 on port %s', (port) =>
    expectAccepted(`http://127.0.0.1:${port}/callback`),
  );

  it.each(['1', '8080', '65535'])('accepts [::1] on port %s for a client that registered [::1]', (port) =>
    expectAccepted(`http://[::1]:${port}/cb`, 'redirect-app'),
  );

  it('accepts the registered loopback URIs without a port', async () => {
    await expectAccepted(LOOPBACK);
    await expectAccepted('http://[::1]/cb', 'redirect-app');
  });

  it('refuses a port on localhost even for a client that registered localhost (RFC 8252 section 8.3)', async () => {
    await expectRefused('http://localhost:8080/cb', 'redirect-app');
    await expectRefused('http://localhost:1/cb', 'redirect-app');
  });

  it('refuses [::1] for a client that registered only 127.0.0.1, and 127.0.0.1 for one that registered only [::1]', async () => {
    await expectRefused('http://[::1]:8080/callback');
    await expectRefused('http://127.0.0.1:8080/cb', 'redirect-app');
  });

  it('a port on the https URI is never allowed to differ', async () => {
    await expectRefused('https://app.example.com:4443/cb', 'redirect-app');
  });

  it('the code arrives at exactly the port asked for, and only that port redeems it', async () => {
    const issued = await obtainCode({ client_id: 'redirect-app', redirect_uri: 'http://[::1]:49153/cb' }, { ...USER, ip: '192.0.2.1' });
    expect(issued.location.host).toBe('[::1]:49153');
    expect(issued.location.pathname).toBe('/cb');
    const wrongPort = await redeem(issued, { client_id: 'redirect-app', redirect_uri: 'http://[::1]:49154/cb' });
    expect(wrongPort.status).toBe(400);
  });
});

beforeAll(async () => {
  await insertUsers({ [USER.email]: USER.password });
  // A client with a claimed https URI, an IPv6 loopback URI, and (as an operator might mistakenly
  // register it) a localhost URI, which must never gain the loopback port exception.
  await insertClient({
    id: 'redirect-app',
    redirectUris: [HTTPS, 'http://[::1]/cb', 'http://localhost/cb'],
  });
});
