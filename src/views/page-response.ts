import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { randomToken } from '../crypto/random';
import type { Html } from './layout';
import { errorPage } from './pages';

/**
 * Headers of every HTML page: no script at all, only our nonce'd style, never framed (clickjacking),
 * never cached (pages carry per-request tokens), no referrer (URLs may carry codes or state).
 */
function pageHeaders(nonce: string): Record<string, string> {
  return {
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' https:; base-uri 'none'; frame-ancestors 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Renders a page with a fresh CSP nonce handed to the view. */
export async function renderPage(c: Context, status: ContentfulStatusCode, view: (nonce: string) => Html): Promise<Response> {
  const nonce = randomToken(16);
  return c.html(await view(nonce), status, pageHeaders(nonce));
}

export function renderErrorPage(c: Context, title: string, description: string, status: ContentfulStatusCode = 400): Promise<Response> {
  return renderPage(c, status, (nonce) => errorPage({ nonce, title, description }));
}
