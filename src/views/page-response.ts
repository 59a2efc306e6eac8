import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { randomToken } from '../crypto/random';
import type { Locale } from '../i18n/messages';
import { negotiateLocale } from '../i18n/negotiate';
import type { Html } from './layout';
import { errorPage, type ErrorPageProps } from './pages';

/** What a route tells the page renderer through the request context. */
export interface PageVariables {
  /**
   * Where a form on this page may lead besides our own origin: the app's redirect URI when the
   * form's POST may answer with a redirect to it, since browsers may check that redirect against
   * `form-action` too (Chromium does; Firefox has not).
   */
  formTargets?: readonly string[];
  /** The flow's language, once the pending request was read: an error page after that speaks it. */
  flowLocale?: Locale | undefined;
}

/**
 * A CSP source for a redirect target. Browsers ignore a source's path once a request has been
 * redirected (CSP Level 3, "paths and redirects"), so a web target is named by its origin and a
 * private-use scheme (RFC 8252 section 7.1) by the scheme. CSP cannot name an IPv6 literal host,
 * so `http://[::1]` targets fall back to their scheme.
 */
function formActionSource(target: string): string | undefined {
  if (!URL.canParse(target)) return undefined;
  const url = new URL(target);
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  return web && !url.hostname.startsWith('[') ? url.origin : url.protocol;
}

/** Our forms post only to our own origin, and their answers may redirect only to the given targets. */
export function formAction(targets: readonly string[] | undefined): string {
  const sources = new Set((targets ?? []).map(formActionSource).filter((source) => source !== undefined));
  return ["form-action 'self'", ...sources].join(' ');
}

/**
 * Headers of every HTML page: no script unless the page carries our nonce'd one, only our own
 * stylesheet and nonce'd style, forms that post only to us (and lead only to the app they came
 * from), never framed (clickjacking), never cached (pages carry per-request tokens), no referrer
 * (URLs may carry codes or state).
 */
function pageHeaders(nonce: string, targets: readonly string[] | undefined, scripted: boolean): Record<string, string> {
  const script = scripted ? ` script-src 'nonce-${nonce}';` : '';
  return {
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'Content-Security-Policy': `default-src 'none';${script} style-src 'self' 'nonce-${nonce}'; img-src 'self' https:; base-uri 'none'; ${formAction(targets)}; frame-ancestors 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/**
 * Renders a page with a fresh CSP nonce handed to the view. The policy allows scripts only on a
 * page whose markup carries a script with this nonce: only our templates know it, so no injected
 * text can ask for it, and every other page keeps no script source at all.
 */
export async function renderPage(c: Context, status: ContentfulStatusCode, view: (nonce: string) => Html): Promise<Response> {
  const nonce = randomToken(16);
  const { formTargets } = c.var as PageVariables;
  const page = await view(nonce);
  return c.html(page, status, pageHeaders(nonce, formTargets, page.includes(`<script nonce="${nonce}"`)));
}

/** An error shown to a person; the header repeats the page's request id for tools. */
export function renderErrorPage(c: Context, error: ErrorPageProps, status: ContentfulStatusCode = 400): Promise<Response> {
  c.header('X-Request-Id', error.requestId);
  // Only an error with catalogue words is localized: a page half English, half not, helps nobody.
  const locale = error.words ? ((c.var as PageVariables).flowLocale ?? negotiateLocale(undefined, c.req.header('Accept-Language'))) : undefined;
  return renderPage(c, status, (nonce) => errorPage({ ...error, nonce, locale }));
}
