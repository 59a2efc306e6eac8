import type { Context } from 'hono';
import { FAVICON_SVG } from '../views/favicon';

/**
 * GET /favicon.svg (linked by every page) and /favicon.ico (asked for by browsers on their own,
 * e.g. over a JSON answer): the same SVG, which current browsers draw under either name. Cached
 * for a week, then revalidated in the background for a month: it changes only with a deploy.
 */
export function favicon(c: Context): Response {
  return c.body(FAVICON_SVG, 200, {
    'Content-Type': 'image/svg+xml',
    'Cache-Control': 'public, max-age=604800, stale-while-revalidate=2592000',
    // Opened on its own the SVG is a document: it may load and run nothing.
    'Content-Security-Policy': "default-src 'none'",
  });
}
