import type { AppContext } from '../http/context';
import type { Locale } from '../i18n/messages';
import { negotiateLocale } from '../i18n/negotiate';
import type { LoginRequest } from '../oauth/login-request';
import { peekLoginRequestCookie } from './login-request-cookie';

/**
 * The language of a page: the flow's, chosen at /authorize, when the browser has a pending request;
 * otherwise the browser's Accept-Language (a page opened from a mail link may have no request).
 */
export function pageLocale(c: AppContext, request: LoginRequest | undefined): Locale {
  return request?.locale ?? negotiateLocale(undefined, c.req.header('Accept-Language'));
}

/**
 * The flow after the person is known: their saved language replaces the one the browser chose,
 * unless the app named one (ui_locales outranks everything, OIDC Core 3.1.2.1).
 */
export function withSavedLocale(request: LoginRequest, saved: Locale | null | undefined): LoginRequest {
  return saved && !request.localeRequested ? { ...request, locale: saved } : request;
}

/** The same, for a page that does not otherwise read the pending request (no storage, one unseal). */
export async function browserLocale(c: AppContext): Promise<Locale> {
  return pageLocale(c, await peekLoginRequestCookie(c));
}
