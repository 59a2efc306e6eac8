import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { textDirection, type Locale } from '../i18n/messages';
import { FAVICON_PATH } from './favicon';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Small, no framework: every page works in any in-app browser tab without JavaScript; a page may
 * add a nonce'd script that only enhances it (show password). Templates are Hono's `html` tagged
 * literals: every interpolated value is escaped.
 *
 * Below 480px the card is the page (no grey margins around a floating card), as on a phone.
 * Logical properties (inline-start/end) wherever a side matters, so right-to-left pages mirror.
 */
const STYLE = `
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#f6f6f8;--card:#fff;--muted:#5b5b66;--accent:#2453d6;--on-accent:#fff;--error:#b3261e;--error-bg:#fceeee;--border:#85858f}
@media (prefers-color-scheme:dark){:root{--fg:#ececf1;--bg:#121216;--card:#1d1d23;--muted:#a8a8b3;--accent:#8fb0ff;--on-accent:#0b1a4a;--error:#ffb4ab;--error-bg:#3a2426;--border:#767682}}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;padding:0 1rem;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:24rem;margin:10vh auto;padding:2rem 1.5rem;background:var(--card);border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
@media (max-width:480px){body{padding:0;background:var(--card)}main{max-width:none;margin:0;padding:2rem 1.25rem;border-radius:0;box-shadow:none}}
.brand{display:flex;justify-content:center;margin:0 0 1.25rem}
.logo{display:block;border-radius:8px;object-fit:contain}
.mark{display:flex;align-items:center;justify-content:center;width:48px;height:48px;border-radius:50%;font-size:1.4rem;font-weight:700;line-height:1;color:var(--on-accent);background:var(--accent)}
h1{font-size:1.4rem;margin:0 0 .25rem}p{margin:.25rem 0 1rem;color:var(--muted)}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input,select{width:100%;padding:.7rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--border);border-radius:8px}
input:focus,select:focus,button:focus{outline:3px solid var(--accent);outline-offset:2px}
button{width:100%;margin-top:1.5rem;padding:.8rem;font:inherit;font-weight:600;color:var(--on-accent);background:var(--accent);border:0;border-radius:8px;cursor:pointer}
main>:last-child{margin-bottom:0}
.error{margin:1rem 0;padding:.6rem .75rem;color:var(--fg);background:var(--error-bg);border-inline-start:4px solid var(--error);border-radius:6px}
.secret{position:relative}.secret input{padding-inline-end:3.25rem}
button.reveal{position:absolute;top:0;inset-inline-end:0;width:3rem;height:100%;margin:0;padding:0;display:flex;align-items:center;justify-content:center;color:var(--muted);background:transparent;border-radius:0;border-start-end-radius:8px;border-end-end-radius:8px}
.reveal svg{width:1.4rem;height:1.4rem}.reveal[aria-pressed=true] .eye,.reveal[aria-pressed=false] .eye-off{display:none}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.account{margin:.25rem 0 1rem;color:var(--muted)}.account strong{color:var(--fg);font-weight:600;overflow-wrap:anywhere}
button.link{display:inline;width:auto;white-space:nowrap;margin:0;padding:0;font-weight:400;color:var(--fg);background:none;text-decoration:underline;text-underline-offset:2px}
.reference{font-size:.875rem}.reference code{font:inherit;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--fg)}
ul{margin:0 0 1rem;padding-inline-start:1.25rem}li{margin:.25rem 0}
button.secondary{margin-top:.75rem;color:var(--fg);background:transparent;border:1px solid var(--border)}
button.danger{color:var(--fg);background:var(--error-bg);border:1px solid var(--error)}
main.wide{max-width:44rem}.links{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem 1rem;margin:1.25rem 0 0}.hint{margin:.25rem 0 0;font-size:.875rem}.field-error{margin:.25rem 0 0;color:var(--error);font-weight:600}h2{font-size:1.1rem;margin:1.5rem 0 .25rem}a{color:var(--accent)}
a.idp{display:flex;align-items:center;justify-content:center;gap:.6rem;margin:.75rem 0 0;padding:.7rem;font-weight:600;text-decoration:none;color:var(--fg);border:1px solid var(--border);border-radius:8px}a.idp svg{width:1.1rem;height:1.1rem;flex:none}a.idp.apple{color:#fff;background:#000;border-color:#000}a.idp.google{color:#1f1f1f;background:#fff;border-color:#747775;font-family:Roboto,system-ui,sans-serif}.or{display:flex;align-items:center;gap:.75rem;margin:1.25rem 0 0;color:var(--muted)}.or::before,.or::after{content:"";flex:1;border-top:1px solid var(--border)}
code,pre{font:.875em/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}pre{white-space:pre-wrap;margin:.25rem 0 1rem;padding:.5rem .75rem;border-radius:8px;background:var(--bg)}
`.trim();

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
  /** A script that only enhances the page, run under the page's nonce (renderPage then allows it). */
  script?: string | undefined;
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
<style nonce="${props.nonce}">${raw(STYLE + accent)}</style>
</head>
<body><main${props.wide ? raw(' class="wide"') : ''}>${brandHeader(props.brand)}
${props.body}</main>${props.script ? html`
<script nonce="${props.nonce}">${raw(props.script)}</script>` : ''}</body>
</html>`;
}
