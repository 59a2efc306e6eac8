import { timingSafeEqual } from '../crypto/timing-safe';
import { findApi } from '../db/registry';
import { findClient } from '../http/find-client';
import { findUserById } from '../db/users';
import { userStore } from '../durable-objects/user-store';
import { mintCode } from '../grants/authorization-code';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { afterApproval, consentRequestFor, isWaitingPage, mustVerifyEmail } from '../interaction/approval';
import { checkFormOrigin } from '../interaction/form-origin';
import { clearLoginRequestCookie, pendingRequest, setLoginRequestCookie } from '../interaction/login-request-cookie';
import { redirectToApp } from '../interaction/redirect-to-app';
import { pendingRequestGone, type LoginRequest, type SignedInUser } from '../oauth/login-request';
import { unverifiedApp } from '../oauth/unverified-app';
import { withQuery } from '../oauth/redirect-uri';
import { consentPage } from '../views/pages';
import { renderPage } from '../views/page-response';

async function awaitingConsent(c: AppContext): Promise<LoginRequest & { authenticated: SignedInUser }> {
  const request = await pendingRequest(c);
  if (!request.authenticated) throw pendingRequestGone();
  return { ...request, authenticated: request.authenticated };
}

/** GET /consent: what the app asks for, to allow or deny (OIDC Core 3.1.2.4). */
export async function showConsent(c: AppContext): Promise<Response> {
  const request = await awaitingConsent(c);
  const [client, api, user] = await Promise.all([
    findClient(c.env, request.clientId),
    findApi(c.env, request.audience),
    findUserById(c.env, request.authenticated.userId),
  ]);
  return renderPage(c, 200, (nonce) =>
    consentPage({
      nonce,
      clientName: request.clientName,
      requestId: request.id,
      scopes: request.scopes,
      apiName: api?.name ?? request.audience,
      scopeDescriptions: api?.scopeDescriptions ?? {},
      logoUri: client?.logoUri,
      accent: client?.primaryColor,
      email: user?.email,
      unverified: unverifiedApp(client, request.clientId, request.redirectUri),
      locale: request.locale,
    }),
  );
}

/**
 * "Not you?": the request forgets who signed in and goes back to the password form, where another
 * account can sign in for it (/login?account=another shows the form even with a session).
 */
async function signInWithAnotherAccount(c: AppContext, request: LoginRequest): Promise<Response> {
  await setLoginRequestCookie(c, { ...request, authenticated: undefined });
  c.header('Cache-Control', 'no-store');
  return c.redirect('/login?account=another', 303);
}

/**
 * POST /consent: allow issues the code and remembers the consent; another_account starts the
 * sign-in over; anything else is a refusal, and deny returns access_denied to the app.
 */
export async function submitConsent(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const request = await awaitingConsent(c);
  if (!timingSafeEqual(form.get('request_id') ?? '', request.id)) throw pendingRequestGone();
  if (form.get('decision') === 'another_account') return signInWithAnotherAccount(c, request);
  clearLoginRequestCookie(c);
  if (form.get('decision') !== 'allow') {
    // RFC 6749 section 4.1.2.1: the user said no, and the request is spent: no later "allow".
    await userStore(c.env, request.authenticated.userId).closeRequest(request.id, request.clientId, request.expiresAt);
    const location = withQuery(request.redirectUri, {
      error: 'access_denied',
      error_description: 'The user denied the request.',
      state: request.state,
      iss: c.var.config.issuer,
    });
    return redirectToApp(c, location, 303);
  }
  const user = request.authenticated;
  // Checked again here: a request waiting for a confirmed address also carries a signed-in user.
  // The user has just answered the page that prompt=consent (or an unverified client) asked for:
  // asking again would send them back to it forever.
  const [consent, verifyEmailFirst] = await Promise.all([consentRequestFor(c.env, request), mustVerifyEmail(c.env, request, user.userId)]);
  const minted = await mintCode(c.env, user.userId, request, { ...consent, forceConsent: false }, verifyEmailFirst);
  // One call: the user is checked (a block since sign-in refuses), the consent remembered, the code issued.
  const result = await userStore(c.env, user.userId).approveConsent(user, minted.approval);
  const location = await afterApproval(c, request, user, result, minted.location);
  if (!isWaitingPage(location)) {
    c.var.audit({ event: 'code_issued', clientId: request.clientId, userId: request.authenticated.userId, grantId: request.id, detail: { consent: true } });
  }
  return redirectToApp(c, location, 303);
}
