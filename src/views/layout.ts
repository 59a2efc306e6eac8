import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Small, no framework, no script: the page works in any in-app browser tab without JavaScript.
 * Templates are Hono's `html` tagged literals: every interpolated value is escaped.
 */
const STYLE = `
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#f6f6f8;--card:#fff;--muted:#5b5b66;--accent:#2453d6;--on-accent:#fff;--error:#b3261e;--border:#85858f}
@media (prefers-color-scheme:dark){:root{--fg:#ececf1;--bg:#121216;--card:#1d1d23;--muted:#a8a8b3;--accent:#8fb0ff;--on-accent:#0b1a4a;--error:#ffb4ab;--border:#767682}}
*{box-sizing:border-box}body{margin:0;padding:0 1rem;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:24rem;margin:10vh auto;padding:2rem 1.5rem;background:var(--card);border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin:0 0 .25rem}p{margin:.25rem 0 1rem;color:var(--muted)}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{width:100%;padding:.7rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--border);border-radius:8px}
input:focus,button:focus{outline:3px solid var(--accent);outline-offset:2px}
button{width:100%;margin-top:1.5rem;padding:.8rem;font:inherit;font-weight:600;color:var(--on-accent);background:var(--accent);border:0;border-radius:8px;cursor:pointer}
main>:last-child{margin-bottom:0}
.error{color:var(--error);font-weight:600}
.logo{display:block;margin:0 0 1rem;border-radius:8px}
ul{margin:0 0 1rem;padding-left:1.25rem}li{margin:.25rem 0}
a{color:var(--accent)}
button.secondary{margin-top:.75rem;color:var(--fg);background:transparent;border:1px solid var(--border)}
main.wide{max-width:44rem}h2{font-size:1.1rem;margin:1.5rem 0 .25rem}a{color:var(--accent)}
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

/** `wide`: for a page of links and commands (the dev home page) rather than a form. */
export function layout(props: { title: string; nonce: string; body: Html; accent?: string | null | undefined; wide?: boolean }): Html {
  const accent = props.accent && HEX_COLOUR.test(props.accent) ? accentRule(props.accent) : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${props.title}</title>
<style nonce="${props.nonce}">${raw(STYLE + accent)}</style>
</head>
<body><main${props.wide ? raw(' class="wide"') : ''}>${props.body}</main></body>
</html>`;
}
