/** Talking to the worker under test, in workerd: requests, form bodies, credentials and cookies. */
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { ISSUER } from './fixtures';

export const LOGIN_COOKIE = '__Host-edge-auth-login';
export const SESSION_COOKIE = '__Host-edge-auth-session';

/** Sends a request to the worker under test, in workerd; redirects are returned, not followed. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(new URL(path, ISSUER), { redirect: 'manual', ...init }));
}

/** A POST with an application/x-www-form-urlencoded body. */
export function form(body: Record<string, string>, init: RequestInit = {}): RequestInit {
  return {
    method: 'POST',
    ...init,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(init.headers as Record<string, string>) },
    body: new URLSearchParams(body).toString(),
  };
}

/** HTTP Basic client authentication (RFC 6749 section 2.3.1). */
export const basic = (clientId: string, secret: string) => `Basic ${btoa(`${clientId}:${secret}`)}`;

/** userinfo and logout accept both methods; their tests run for both. */
export type Method = 'GET' | 'POST';
export const METHODS: Method[] = ['GET', 'POST'];

/** The Set-Cookie header for `name`, if the response sets it. */
export function setCookieFor(response: Response, name: string): string | undefined {
  return response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
}

/** The `name=value` pair of a Set-Cookie header, for sending back; the header must be there. */
export function cookieFrom(response: Response, name = LOGIN_COOKIE): string {
  const header = setCookieFor(response, name);
  expect(header, `Set-Cookie ${name}`).toBeDefined();
  return header!.split(';')[0]!;
}

/** The attributes of one Set-Cookie header, names lower-cased; flags map to true. */
export function cookieAttributes(setCookie: string): Map<string, string | true> {
  const attributes = new Map<string, string | true>();
  for (const part of setCookie.split(';').slice(1)) {
    const [name, ...value] = part.trim().split('=');
    attributes.set(name!.toLowerCase(), value.length === 0 ? true : value.join('='));
  }
  return attributes;
}
