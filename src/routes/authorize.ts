import { randomToken } from '../crypto/random';
import { findClientAndApis } from '../http/find-client';
import type { ApiRow, ClientRow } from '../db/schema';
import { takePushedRequest } from '../durable-objects/pushed-request-store';
import type { ErrorFields } from '../errors/app-error';
import { invalidRequest, localizedError, OAuthError } from '../errors/oauth-error';
import type { Locale, TextKey } from '../i18n/messages';
import { negotiateLocale, requestedLocale } from '../i18n/negotiate';
import type { AppContext } from '../http/context';
import { approveWithSession } from '../interaction/approval';
import { setLoginRequestCookie } from '../interaction/login-request-cookie';
import { redirectToApp } from '../interaction/redirect-to-app';
import { liveSession, readSessionCookie } from '../interaction/session-cookie';
import { validateAuthorizationRequest } from '../oauth/authorization-request';
import { requestsMultiFactor } from '../oauth/authentication-methods';
import { isClientIdUrl } from '../oauth/client-metadata-document';
import type { LoginRequest } from '../oauth/login-request';
import { MAX_PARAM_LENGTH, optionalParam, singleValuedParams } from '../oauth/params';
import { isPushedRequestUri, REQUEST_URI_PREFIX } from '../oauth/pushed-request';
import { sessionNeedsConfirmation } from '../oauth/session-confirmation';
import { matchRedirectUri } from '../oauth/redirect-uri';

/**
 * Shown, never redirected: the request has not yet earned a trusted redirect. The log line gets
 * what the developer needs and the page must not show: the client_id and redirect_uri received
 * (every value, bounded by the log writer), and more when `extra` says so.
 */
function untrusted(query: URLSearchParams, description: TextKey, extra: ErrorFields = {}): OAuthError {
  const received = { client_id: query.getAll('client_id'), redirect_uri: query.getAll('redirect_uri') };
  return localizedError('invalid_request', { title: 'signInInvalidTitle', description }, { detail: { ...received, ...extra } });
}

/** The one value of a parameter that decides where errors may go; repeated or oversized means untrusted. */
function soleParam(query: URLSearchParams, name: string): string {
  const values = query.getAll(name);
  if (values.length !== 1 || values[0] === '' || values[0]!.length > MAX_PARAM_LENGTH) {
    throw untrusted(query, 'requestMalformed', { reason: `the request must carry exactly one valid ${name}` });
  }
  return values[0]!;
}

/**
 * RFC 9126 section 4: a request_uri from POST /par stands for the whole request. It is used once
 * (one call to its object, which deletes it), only before it expires and only by the client that
 * pushed it; the front channel's other parameters are ignored, the pushed ones count. Refused on a
 * page: without the request there is no trusted redirect. Undefined when the front channel carries
 * no request_uri of ours (any other is refused as unsupported, after the redirect is trusted).
 */
async function pushedQuery(c: AppContext, sent: URLSearchParams): Promise<URLSearchParams | undefined> {
  if (!sent.getAll('request_uri').some((value) => value.startsWith(REQUEST_URI_PREFIX))) return undefined;
  const clientId = soleParam(sent, 'client_id');
  const requestUri = soleParam(sent, 'request_uri');
  const pushed = isPushedRequestUri(requestUri) ? await takePushedRequest(c.env, requestUri) : undefined;
  if (!pushed || pushed.clientId !== clientId) {
    const reason = !pushed ? 'unknown, used or expired' : 'pushed by another client';
    throw localizedError('invalid_request_uri', { title: 'signInExpiredTitle', description: 'signInLinkExpired' }, { detail: { client_id: clientId, reason } });
  }
  return new URLSearchParams(pushed.params);
}

/** Step one: until client and redirect URI are known, nothing may be redirected (RFC 6749 section 4.1.2.1). */
async function trustedRedirect(c: AppContext, query: URLSearchParams): Promise<{ client: ClientRow; redirectUri: string; apis: ApiRow[] }> {
  const { client, apis } = await findClientAndApis(c.env, soleParam(query, 'client_id'));
  if (!client) throw untrusted(query, 'appNotRegistered');
  // Kept as requested: a loopback redirect keeps the port the app listens on.
  const redirectUri = soleParam(query, 'redirect_uri');
  if (!matchRedirectUri(redirectUri, client.redirectUris)) {
    // On a developer's machine the log also lists what is registered, to compare at a glance.
    const registered = c.var.config.development ? { registered_redirect_uris: client.redirectUris } : {};
    throw untrusted(query, 'unregisteredReturn', registered);
  }
  return { client, redirectUri, apis };
}

/** The state to send back with a redirected error: only a single, bounded one. */
function stateOf(query: URLSearchParams): string | undefined {
  const states = query.getAll('state');
  return states.length === 1 && states[0]!.length <= MAX_PARAM_LENGTH ? states[0] : undefined;
}

/**
 * OIDC Core 3.1.2.1: ui_locales (bounded like every parameter), else the browser's languages, else
 * the client's default. Only the app's own choice outranks the person's saved language later.
 */
function flowLocale(uiLocales: string | undefined, acceptLanguage: string | undefined, clientDefault: Locale | null): Pick<LoginRequest, 'locale' | 'localeRequested'> {
  const requested = requestedLocale(uiLocales);
  return requested ? { locale: requested, localeRequested: true } : { locale: negotiateLocale(undefined, acceptLanguage, clientDefault) };
}

/**
 * An authorization request (sent in full, or pushed before: RFC 9126) made a pending login request:
 * the redirect trusted first, then every parameter validated. Shared by /authorize and the native
 * passkey API (src/routes/passkey-api.ts).
 */
export async function pendingLoginRequest(c: AppContext, sent: URLSearchParams, redirectErrors = true) {
  const pushed = await pushedQuery(c, sent);
  const query = pushed ?? sent;
  const { client, redirectUri, apis } = await trustedRedirect(c, query);
  // From here on, errors go back to the client (a JSON API answers them instead).
  if (redirectErrors) c.set('errorRedirect', { redirectUri, state: stateOf(query) });
  // RFC 9126 section 4: where pushing is required, a request sent in full is refused.
  if (!pushed && (client.requirePushedAuthorizationRequests || c.var.config.requirePushedAuthorizationRequests)) {
    throw invalidRequest('This app must send its authorization requests to the pushed authorization request endpoint first.');
  }

  const params = singleValuedParams(query);
  const { request, prompt } = validateAuthorizationRequest(params, client, redirectUri, apis);
  const pending: LoginRequest = {
    ...request,
    id: randomToken(16),
    clientName: client.name,
    expiresAt: Date.now() + c.var.config.loginRequestTtlSeconds * 1000,
    // A client known only by its metadata document is unverified: the user decides every time.
    forceConsent: prompt.consent || isClientIdUrl(client.id),
    ...flowLocale(optionalParam(params, 'ui_locales'), c.req.header('Accept-Language'), client.defaultLocale),
    // OIDC Core 3.1.2.1 acr_values: the multi-factor level asked for steps a single-factor session up.
    ...(requestsMultiFactor(params) && { requireMfa: true }),
  };
  return { pending, client, redirectUri, prompt };
}

/**
 * GET /authorize: RFC 6749 section 4.1.1 with PKCE (RFC 7636), `audience` and `nonce`, the
 * parameters sent directly or pushed before (RFC 9126).
 */
export async function authorize(c: AppContext): Promise<Response> {
  const { pending, client, redirectUri, prompt } = await pendingLoginRequest(c, new URL(c.req.url).searchParams);

  // Single sign-on (OIDC Core 3.1.2.3): one call to the user's object checks the session (and
  // max_age) and issues the code, unless the app asks for a fresh sign-in or the app's identity is
  // not assured, when the login page asks the person to confirm first.
  const cookie = prompt.login ? undefined : await readSessionCookie(c);
  if (cookie && sessionNeedsConfirmation(client, redirectUri)) {
    // OIDC Core 3.1.2.6: without a page, a live session still needs the person: interaction_required.
    if (prompt.none && (await liveSession(c, cookie, prompt.maxAge))) throw new OAuthError('interaction_required', 'The user must confirm this sign-in.');
    pending.confirmSession = { maxAge: prompt.maxAge };
  } else if (cookie) {
    const location = await approveWithSession(c, pending, cookie, { maxAge: prompt.maxAge, interactive: !prompt.none, confirmed: false });
    if (location) return redirectToApp(c, location, 302);
  }
  if (prompt.none) throw new OAuthError('login_required', 'The user must sign in.');

  await setLoginRequestCookie(c, pending);
  c.header('Cache-Control', 'no-store');
  return c.redirect('/login', 302);
}
