import { randomToken } from '../crypto/random';
import { findClientAndApis } from '../db/registry';
import type { ApiRow, ClientRow } from '../db/schema';
import type { ErrorFields } from '../errors/app-error';
import { OAuthError } from '../errors/oauth-error';
import type { AppContext } from '../http/context';
import { approveWithSession } from '../interaction/approval';
import { setLoginRequestCookie } from '../interaction/login-request-cookie';
import { redirectToApp } from '../interaction/redirect-to-app';
import { liveSession, readSessionCookie } from '../interaction/session-cookie';
import { parseAuthorizationRequest, requestedAudience } from '../oauth/authorization-request';
import type { LoginRequest } from '../oauth/login-request';
import { MAX_PARAM_LENGTH, singleValuedParams } from '../oauth/params';
import { parsePrompt } from '../oauth/prompt';
import { sessionNeedsConfirmation } from '../oauth/session-confirmation';
import { matchRedirectUri } from '../oauth/redirect-uri';

/**
 * Shown, never redirected: the request has not yet earned a trusted redirect. The log line gets
 * what the developer needs and the page must not show: the client_id and redirect_uri received
 * (every value, bounded by the log writer), and more when `extra` says so.
 */
function untrusted(url: URL, description: string, extra: ErrorFields = {}): OAuthError {
  const received = { client_id: url.searchParams.getAll('client_id'), redirect_uri: url.searchParams.getAll('redirect_uri') };
  return new OAuthError('invalid_request', description, { title: 'Sign-in request not valid', detail: { ...received, ...extra } });
}

/** The one value of a parameter that decides where errors may go; repeated or oversized means untrusted. */
function soleParam(url: URL, name: string): string {
  const values = url.searchParams.getAll(name);
  if (values.length !== 1 || values[0] === '' || values[0]!.length > MAX_PARAM_LENGTH) {
    throw untrusted(url, `The request must carry exactly one valid ${name}.`);
  }
  return values[0]!;
}

/** Step one: until client and redirect URI are known, nothing may be redirected (RFC 6749 section 4.1.2.1). */
async function trustedRedirect(c: AppContext, url: URL): Promise<{ client: ClientRow; redirectUri: string; apis: ApiRow[] }> {
  const { client, apis } = await findClientAndApis(c.env, soleParam(url, 'client_id'));
  if (!client) throw untrusted(url, 'The app that sent you here is not registered.');
  // Kept as requested: a loopback redirect keeps the port the app listens on.
  const redirectUri = soleParam(url, 'redirect_uri');
  if (!matchRedirectUri(redirectUri, client.redirectUris)) {
    // On a developer's machine the log also lists what is registered, to compare at a glance.
    const registered = c.var.config.development ? { registered_redirect_uris: client.redirectUris } : {};
    throw untrusted(url, 'The app asked to return to an address it has not registered.', registered);
  }
  return { client, redirectUri, apis };
}

/** The state to send back with a redirected error: only a single, bounded one. */
function stateOf(url: URL): string | undefined {
  const states = url.searchParams.getAll('state');
  return states.length === 1 && states[0]!.length <= MAX_PARAM_LENGTH ? states[0] : undefined;
}

/** GET /authorize: RFC 6749 section 4.1.1 with PKCE (RFC 7636), `audience` and `nonce`. */
export async function authorize(c: AppContext): Promise<Response> {
  const url = new URL(c.req.url);
  const { client, redirectUri, apis } = await trustedRedirect(c, url);
  // From here on, errors go back to the client.
  c.set('errorRedirect', { redirectUri, state: stateOf(url) });

  const params = singleValuedParams(url.searchParams);
  const audience = requestedAudience(params, client);
  const api = apis.find((candidate) => candidate.identifier === audience);
  const request = parseAuthorizationRequest(params, client, redirectUri, audience, api);
  const prompt = parsePrompt(params);
  const pending: LoginRequest = {
    ...request,
    id: randomToken(16),
    clientName: client.name,
    expiresAt: Date.now() + c.var.config.loginRequestTtlSeconds * 1000,
    forceConsent: prompt.consent,
  };

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
