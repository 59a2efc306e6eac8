import { html } from 'hono/html';
import { en, type Messages } from './en';

/**
 * A translation as its JSON file holds it (src/static/i18n/<language>.json): plain text, or
 * markup as `{"html": "..."}` whose placed values are escaped. A message English writes as a
 * function is a template: `{1}` to `{n}` are that function's arguments, in order.
 */
type Entry = string | { html: string };

const PLACEHOLDER = /\{(\d+)\}/g;

/** `{1}` … `{n}` of a template, in the order written, each in range: what the English function passes. */
function placeholders(template: string, arity: number): number[] | undefined {
  const numbers = [...template.matchAll(PLACEHOLDER)].map((match) => Number(match[1]));
  return numbers.every((n) => n >= 1 && n <= arity) ? numbers : undefined;
}

function templateMessage(entry: Entry, order: readonly number[]): (...values: unknown[]) => unknown {
  if (typeof entry === 'string') return (...values) => entry.replace(PLACEHOLDER, (_, n: string) => String(values[Number(n) - 1]));
  // The pieces between placeholders are trusted markup from the repository, as in an html`` literal.
  const pieces = entry.html.split(PLACEHOLDER).filter((_, i) => i % 2 === 0);
  const strings = Object.assign([...pieces], { raw: pieces }) as TemplateStringsArray;
  return (...values) => html(strings, ...order.map((n) => values[n - 1]));
}

function isEntry(value: unknown): value is Entry {
  return typeof value === 'string' || (typeof value === 'object' && value !== null && typeof (value as { html?: unknown }).html === 'string');
}

/**
 * A language's messages from its JSON file, and what is wrong with the file. A missing or
 * malformed message is said in English rather than failing the page; test/unit/i18n.test.ts
 * requires every shipped file to have no problem at all.
 */
export function catalogueFromJson(json: unknown): { messages: Messages; problems: string[] } {
  const source = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const problems = Object.keys(source).filter((key) => !(key in en)).map((key) => `${key}: not an English key`);
  const messages: Record<string, unknown> = {};
  for (const [key, english] of Object.entries(en)) {
    const entry = source[key];
    // English decides which messages are markup: its function returns an html`` string (an object).
    const markup = typeof english === 'function' && typeof (english as (...values: string[]) => unknown)(...Array<string>(english.length).fill('')) === 'object';
    if (!isEntry(entry) || (typeof entry === 'object') !== markup) {
      problems.push(`${key}: ${markup ? 'expected {"html": "..."}' : 'expected text'}`);
      messages[key] = english;
      continue;
    }
    const text = typeof entry === 'string' ? entry : entry.html;
    if (typeof english === 'string') {
      messages[key] = text;
      continue;
    }
    const order = placeholders(text, english.length);
    if (!order || new Set(order).size !== english.length) {
      problems.push(`${key}: must place each of {1} to {${english.length}} (and no other)`);
      messages[key] = english;
      continue;
    }
    messages[key] = templateMessage(entry, order);
  }
  return { messages: messages as Messages, problems };
}
