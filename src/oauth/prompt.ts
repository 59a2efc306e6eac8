import { invalidRequest } from '../errors/oauth-error';
import { optionalParam } from './params';

/** OIDC Core section 3.1.2.1: how the user is to be involved; `max_age` in seconds. */
export interface Prompt {
  /** Sign in again even with a live session. */
  login: boolean;
  /** Ask for consent even if it was given before. */
  consent: boolean;
  /** Never show a page: answer with the session or with `login_required`. */
  none: boolean;
  maxAge: number | undefined;
}

/** `select_account` is accepted and has no effect: a browser holds one session at a time. */
export const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account'] as const;

export function parsePrompt(params: Map<string, string>): Prompt {
  const values = optionalParam(params, 'prompt')?.split(' ').filter((v) => v !== '') ?? [];
  if (values.some((v) => !(PROMPT_VALUES as readonly string[]).includes(v))) throw invalidRequest('The prompt parameter has an unknown value.');
  if (values.includes('none') && values.length > 1) throw invalidRequest('prompt=none cannot be combined with other values.');
  const rawMaxAge = optionalParam(params, 'max_age');
  if (rawMaxAge !== undefined && !/^\d{1,9}$/.test(rawMaxAge)) throw invalidRequest('max_age must be a whole number of seconds.');
  return {
    login: values.includes('login'),
    consent: values.includes('consent'),
    none: values.includes('none'),
    maxAge: rawMaxAge === undefined ? undefined : Number(rawMaxAge),
  };
}

/**
 * Single sign-on (OIDC Core 3.1.2.3): whether a sign-in is recent enough for `max_age` (seconds),
 * when the app sent one. `authTime` in seconds, `now` in milliseconds. (`prompt=login` never gets
 * this far: the session is not consulted at all.)
 */
export function isRecentEnough(authTime: number, maxAge: number | undefined, now: number): boolean {
  return maxAge === undefined || now / 1000 - authTime <= maxAge;
}
