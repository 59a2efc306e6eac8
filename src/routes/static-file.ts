import type { Context } from 'hono';
import { NO_STORE } from '../errors/no-store';
import { readAsset } from '../interaction/static-data';
import { isStaticFile, STATIC_FILES } from '../views/static-files';

const CONTENT_TYPES: Readonly<Record<string, string>> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' };

/**
 * GET /static/:name: the pages' stylesheet and scripts, from the static assets (src/static/web).
 * Only the listed files: the assets also hold data the worker reads and never serves. Asked for
 * with its current version, a file is cached for a year; with another version (a page from before
 * a deploy), for a minute.
 */
export async function staticFile(c: Context<{ Bindings: Env }>): Promise<Response> {
  const name = c.req.param('name') ?? '';
  if (!isStaticFile(name)) return c.json({ error: 'not_found', error_description: 'No such endpoint.' }, 404, NO_STORE);
  const asset = await readAsset(c.env, `web/${name}`);
  const current = c.req.query('v') === STATIC_FILES[name];
  return c.body(await asset.arrayBuffer(), 200, {
    'Content-Type': CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
    'Cache-Control': current ? 'public, max-age=31536000, immutable' : 'public, max-age=60',
    // Opened on its own, a file is a document that may load and run nothing.
    'Content-Security-Policy': "default-src 'none'",
  });
}
