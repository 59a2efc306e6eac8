import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { textDirection, type Locale } from '../i18n/messages';
import { FAVICON_PATH } from './favicon';
import { staticUrl, type ScriptFile } from './static-files';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Small, no framework: every page works in any in-app browser tab without JavaScript; a page may
 * add nonce'd scripts that only enhance it (show password, passkeys). The stylesheet and scripts
 * are files a browser caches (src/views/static-files.ts); the page carries only a client's accent
 * colour inline. Templates are Hono's `html` tagged literals: every interpolated value is escaped.
 */

/** A client's brand colour, trusted only as exactly `#rrggbb` (it is written into CSS). */
export const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

/** WCAG 2 relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/**
 * A brand colour replaces the accent in light and dark mode alike, so the text on it is chosen for
 * it: black or white, whichever contrasts more (WCAG 2 contrast ratio).
 */
function accentRule(colour: string): string {
  const l = luminance(colour);
  const onAccent = (1.05) / (l + 0.05) >= (l + 0.05) / 0.05 ? '#fff' : '#000';
  return `:root{--accent:${colour};--on-accent:${onAccent}}`;
}

/** The app a page speaks for: its name, and its logo when the client has one. */
export interface Brand {
  name: string;
  logoUri?: string | null | undefined;
}

/** Made once per isolate: making one per page was a fifth of the login page's CPU (npm run bench's profile). */
const SEGMENTER = new Intl.Segmenter();

/** The first character of the name as a person reads it (a whole emoji, an accented letter). */
function initial(name: string): string {
  const first = SEGMENTER.segment(name.trim())[Symbol.iterator]().next().value?.segment;
  return first ? first.toLocaleUpperCase() : '?';
}

/**
 * The picture at the top of the card, as Universal Login has: the app's logo, else its initial on
 * the accent colour, else (no app known) the server's own mark. Decorative: the page's text names
 * the app, so the picture has no alternative text of its own.
 */
function brandHeader(brand: Brand | undefined): Html {
  if (brand?.logoUri) return html`<header class="brand"><img class="logo" src="${brand.logoUri}" alt="" width="48" height="48"></header>`;
  if (brand) return html`<header class="brand"><span class="mark" aria-hidden="true">${initial(brand.name)}</span></header>`;
  return html`<header class="brand"><img class="logo" src="${FAVICON_PATH}" alt="" width="48" height="48"></header>`;
}

export interface LayoutProps {
  /** The tab's title: the page's heading, and the app's name when the heading does not carry it. */
  title: string;
  nonce: string;
  body: Html;
  accent?: string | null | undefined;
  /** The app the page is for; without one the header shows the server's own mark. */
  brand?: Brand | undefined;
  /** Scripts that only enhance the page, run under the page's nonce (renderPage then allows them). */
  scripts?: readonly ScriptFile[] | undefined;
  /** For a page of links and commands (the dev home page) rather than a form. */
  wide?: boolean | undefined;
  /** The page's language (English when not given): sets `lang`, and `dir` for right-to-left ones. */
  locale?: Locale | undefined;
}

export function layout(props: LayoutProps): Html {
  const accent = props.accent && HEX_COLOUR.test(props.accent) ? accentRule(props.accent) : '';
  return html`<!doctype html>
<html lang="${props.locale ?? 'en'}" dir="${textDirection(props.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${props.title}</title>
<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml">
<link rel="stylesheet" href="${staticUrl('pages.css')}">${accent ? html`
<style nonce="${props.nonce}">${raw(accent)}</style>` : ''}
</head>
<body><main${props.wide ? raw(' class="wide"') : ''}>${brandHeader(props.brand)}
${props.body}</main>${(props.scripts ?? []).map((file) => html`
<script nonce="${props.nonce}" src="${staticUrl(file)}"></script>`)}</body>
</html>`;
}
