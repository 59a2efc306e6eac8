import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { fetchClientJson, OutboundFetchError, type OutboundRefusal } from '../src/http/outbound-fetch';
import { DOCUMENT_SERVERS } from './helpers/document-servers';
import { fetchCount, serveDocument } from './helpers/documents';

const limits = { maxBytes: 5 * 1024, timeoutMs: 1000 };

async function refusal(promise: Promise<unknown>): Promise<OutboundRefusal> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(OutboundFetchError);
  return (error as OutboundFetchError).reason;
}

describe('fetching client-supplied URLs (SSRF defences)', () => {
  it('returns a small JSON document with its Cache-Control max-age', async () => {
    const url = await serveDocument('/fetch/ok.json', { body: '{"a":1}', headers: { 'Cache-Control': 'public, max-age=120' } });
    await expect(fetchClientJson(env, url, limits)).resolves.toEqual({ body: { a: 1 }, maxAgeSeconds: 120 });
  });

  it('accepts +json types such as application/jwk-set+json', async () => {
    const url = await serveDocument('/fetch/jwks', { body: '{"keys":[]}', headers: { 'Content-Type': 'application/jwk-set+json; charset=utf-8' } });
    await expect(fetchClientJson(env, url, limits)).resolves.toMatchObject({ body: { keys: [] }, maxAgeSeconds: undefined });
  });

  it('refuses loopback and private addresses when the development flag is off, without fetching', async () => {
    const production = { ...env, DEV_LOOPBACK_FETCH: 'false' } as Env;
    const url = await serveDocument('/fetch/flag-off.json', { body: '{}' });
    expect(await refusal(fetchClientJson(production, url, limits))).toBe('url');
    for (const other of ['https://169.254.169.254/latest', 'https://[::ffff:7f00:1]/x', 'https://localhost/x', 'https://10.0.0.1/x']) {
      expect(await refusal(fetchClientJson(production, other, limits))).toBe('url');
    }
    expect(await fetchCount('/fetch/flag-off.json')).toBe(0);
  });

  it('keeps refusing private addresses other than loopback with the flag on', async () => {
    expect(await refusal(fetchClientJson(env, 'http://192.168.0.1/x', limits))).toBe('url');
    expect(await refusal(fetchClientJson(env, 'http://localhost:8787/x', limits))).toBe('url');
  });

  it('refuses a redirect without following it', async () => {
    const target = await serveDocument('/fetch/target.json', { body: '{}' });
    const url = await serveDocument('/fetch/redirect.json', { status: 302, headers: { Location: target } });
    expect(await refusal(fetchClientJson(env, url, limits))).toBe('redirect');
    expect(await fetchCount('/fetch/target.json')).toBe(0);
  });

  it('refuses an oversized body (Content-Length over the cap)', async () => {
    const url = await serveDocument('/fetch/large.json', { body: JSON.stringify({ pad: 'x'.repeat(6000) }) });
    expect(await refusal(fetchClientJson(env, url, limits))).toBe('too_large');
  });

  it('cuts off a huge streamed body with no Content-Length instead of buffering it', async () => {
    // 64 MiB if it were read whole.
    const url = await serveDocument('/fetch/stream.json', { body: 'x'.repeat(64 * 1024), repeat: 1024 });
    expect(await refusal(fetchClientJson(env, url, limits))).toBe('too_large');
  });

  it('gives up after the timeout', async () => {
    const url = await serveDocument('/fetch/slow.json', { body: '{}', delayMs: 3000 });
    const started = Date.now();
    expect(await refusal(fetchClientJson(env, url, { ...limits, timeoutMs: 300 }))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it.each([
    ['text/html', 'content_type'],
    ['text/plain', 'content_type'],
    ['application/jsonp', 'content_type'],
  ])('refuses Content-Type %s', async (type, reason) => {
    const url = await serveDocument(`/fetch/type-${type.replace('/', '-')}`, { body: '{}', headers: { 'Content-Type': type } });
    expect(await refusal(fetchClientJson(env, url, limits))).toBe(reason);
  });

  it('refuses a body that is not JSON, and an answer that is not 200', async () => {
    expect(await refusal(fetchClientJson(env, await serveDocument('/fetch/bad.json', { body: '{"a":' }), limits))).toBe('not_json');
    expect(await refusal(fetchClientJson(env, await serveDocument('/fetch/gone.json', { status: 404, body: '{}' }), limits))).toBe('status');
  });

  it('limits fetches per host (OUTBOUND_FETCH_LIMIT)', async () => {
    const url = await serveDocument('/fetch/limited.json', { body: '{}' }, DOCUMENT_SERVERS.limit);
    const reasons: string[] = [];
    for (let i = 0; i < 35; i++) {
      reasons.push(await fetchClientJson(env, url, limits).then(() => 'ok', (error: OutboundFetchError) => error.reason));
    }
    expect(reasons.slice(0, 30).every((reason) => reason === 'ok')).toBe(true);
    expect(reasons.slice(30)).toEqual(Array(5).fill('rate_limited'));
    expect(await fetchCount('/fetch/limited.json', DOCUMENT_SERVERS.limit)).toBe(30);
  });
});
