/**
 * The pages' stylesheet and scripts (src/routes/static-file.ts): served from the static assets,
 * cached by version, and nothing else of the assets is reachable.
 */
import { describe, expect, it } from 'vitest';
import { STATIC_FILES, staticUrl } from '../src/views/static-files';
import { call } from './helpers/http';

describe('GET /static/:name', () => {
  it.each(Object.keys(STATIC_FILES) as (keyof typeof STATIC_FILES)[])('%s: at its version, cached for a year, typed, inert as a document', async (name) => {
    const response = await call(staticUrl(name));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe(name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('Content-Security-Policy')).toBe("default-src 'none'");
    const body = await response.text();
    expect(body).toContain(name.endsWith('.css') ? ':root{color-scheme:light dark;' : 'for(const ');
  });

  it('asked for with another version (a page from before a deploy), is cached for a minute only', async () => {
    for (const query of ['?v=000000000000', '']) {
      const response = await call(`/static/pages.css${query}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
    }
  });

  it('serves no other asset: the translations and the password filter are read by the worker only', async () => {
    for (const path of ['/static/common-passwords.bin', '/static/passkey-providers.json', '/static/i18n', '/static/..%2Fi18n%2Fde.json', '/static/web%2Fpages.css',
      '/i18n/de.json', '/common-passwords.bin', '/web/pages.css', '/passkey-providers.json']) {
      const response = await call(path);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({ error: 'not_found', error_description: 'No such endpoint.' });
    }
  });
});

describe('pages link them', () => {
  it('a page links the stylesheet at its current version', async () => {
    const page = await (await call('/forgot')).text();
    expect(page).toContain(`<link rel="stylesheet" href="${staticUrl('pages.css')}">`);
  });
});
