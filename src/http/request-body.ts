import type { Context } from 'hono';
import { invalidRequest } from '../errors/oauth-error';
import { singleValuedParams } from '../oauth/params';

/** Form and JSON bodies of our endpoints are small; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

async function readText(c: Context): Promise<string> {
  const declared = Number(c.req.header('Content-Length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw invalidRequest('The request body is too large.', { status: 413 });
  const reader = c.req.raw.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw invalidRequest('The request body is too large.', { status: 413 });
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(await new Blob(chunks).arrayBuffer());
  } catch {
    throw invalidRequest('The request body is not valid UTF-8.');
  }
}

function mediaType(c: Context): string {
  return (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** An `application/x-www-form-urlencoded` body with each parameter once (RFC 6749 section 3.2). */
export async function readForm(c: Context): Promise<Map<string, string>> {
  if (mediaType(c) !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('The body must be application/x-www-form-urlencoded.');
  }
  return singleValuedParams(new URLSearchParams(await readText(c)));
}

/**
 * The keys of a JSON text's top-level object, in order, repeats included: JSON.parse keeps only
 * the last of a repeated key, which would let one request mean two things (RFC 6749 section 3.1).
 * Called only on text JSON.parse accepted, so the scan needs no error handling.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1 && expectKey) keys.push(JSON.parse(text.slice(start, i + 1)) as string);
      expectKey = false;
    } else if (ch === '{' || ch === '[') {
      depth++;
      expectKey = ch === '{' && depth === 1;
    } else if (ch === '}' || ch === ']') {
      depth--;
    } else if (ch === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

/** A JSON object body (`application/json`), bounded like every body, with no repeated key. */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  if (mediaType(c) !== 'application/json') throw invalidRequest('The body must be application/json.');
  const text = await readText(c);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidRequest('The body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('The body must be a JSON object.');
  const keys = topLevelKeys(text);
  if (new Set(keys).size !== keys.length) throw invalidRequest('A parameter is repeated in the JSON body.');
  return body as Record<string, unknown>;
}

/**
 * The token endpoint's parameters: form-encoded as RFC 6749 says, or a flat JSON object of strings
 * as Auth0 also accepts.
 */
export async function readFormOrJson(c: Context): Promise<Map<string, string>> {
  const type = mediaType(c);
  if (type === '') throw invalidRequest('The body must be application/x-www-form-urlencoded or application/json.');
  if (type !== 'application/json') return readForm(c);
  const body = await readJsonObject(c);
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'string') throw invalidRequest('Every parameter in the JSON body must be a string.');
    entries.push([name, value]);
  }
  return singleValuedParams(entries);
}
