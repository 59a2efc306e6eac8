/** Issue 18: every page links a favicon; browsers that ask for /favicon.ico on their own get the same one. */
import { describe, expect, it } from 'vitest';
import { call } from './helpers/http';

describe('favicon', () => {
  it.each(['/favicon.svg', '/favicon.ico'])('%s is a small SVG, cached for a week, that may run nothing', async (path) => {
    const response = await call(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/svg+xml');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=604800, stale-while-revalidate=2592000');
    expect(response.headers.get('Content-Security-Policy')).toBe("default-src 'none'");
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    const svg = await response.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/);
    expect(svg).not.toMatch(/<script|\son[a-z]+=|href=/i);
    expect(svg.length).toBeLessThan(1024);
  });
});
