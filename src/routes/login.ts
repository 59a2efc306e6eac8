import { timingSafeEqual } from '../crypto/timing-safe';
import { findConnectionsByName } from '../db/connections';
import { findClient } from '../http/find-client';
import type { AppContext } from '../http/context';
import { metadataPublisher } from '../oauth/client-metadata-document';
import { readForm } from '../http/request-body';
import { checkFormOrigin } from '../interaction/form-origin';
import { pendingRequest } from '../interaction/login-request-cookie';
import { mintPasskeyChallenge } from '../interaction/passkey-challenge';
import { MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH, signInWithPassword } from '../interaction/password-sign-in';
import { awaitSecondFactor, continueSignedIn, signInUser } from '../interaction/sign-in';
import { pendingRequestGone, type LoginRequest } from '../oauth/login-request';
import { loginPage, type LoginError } from '../views/pages';
import { continuePageFor } from './continue-session';
import { renderPage } from '../views/page-response';

/**
 * `loginFailed` is the one message for unknown accounts, wrong passwords and refused attempts, so
 * the form reveals neither which accounts exist nor that one is locked.
 */
export async function loginForm(c: AppContext, request: LoginRequest, status: 200 | 400 | 401, email?: string, error?: LoginError): Promise<Response> {
  // Branding comes from the (cached) client, so a change shows without a new sign-in request.
  const { webauthn } = c.var.config;
  const [client, challenge] = await Promise.all([findClient(c.env, request.clientId), webauthn.enabled ? mintPasskeyChallenge(c.env, 'sign-in', request.id) : undefined]);
  const passkey = challenge === undefined ? undefined : { challenge, rpId: webauthn.rpId };
  const connections = await findConnectionsByName(c.env, client?.connections ?? []);
  return renderPage(c, status, (nonce) =>
    loginPage({
      nonce, clientName: request.clientName, requestId: request.id, logoUri: client?.logoUri, accent: client?.primaryColor, email, error,
      allowSignup: client?.allowSignup, publishedBy: metadataPublisher(request.clientId), locale: request.locale, passkey,
      connections,
    }),
  );
}

/** GET /login: the form for the pending authorization request of this browser, or the one-tap "Continue as" page. */
export async function showLogin(c: AppContext): Promise<Response> {
  const request = await pendingRequest(c);
  const { confirmSession } = request;
  const continuePage = confirmSession && c.req.query('account') !== 'another' ? await continuePageFor(c, { ...request, confirmSession }) : undefined;
  return continuePage ?? loginForm(c, request, 200);
}

/**
 * POST /login: verifies the password, then one call to the user's object decides everything that
 * must happen in order (the lock, the session, the code or the consent step); returns to the app
 * (RFC 6749 section 4.1.2, RFC 9207).
 */
export async function submitLogin(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const request = await pendingRequest(c);
  if (!timingSafeEqual(form.get('request_id') ?? '', request.id)) throw pendingRequestGone();

  const email = form.get('email') ?? '';
  const password = form.get('password') ?? '';
  if (email === '' || password === '' || email.length > MAX_EMAIL_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    return loginForm(c, request, 400, email.slice(0, MAX_EMAIL_LENGTH), 'loginIncomplete');
  }

  const attempt = await signInWithPassword(c, email, password, (user, valid) => signInUser(c, request, user, valid));
  if (!attempt.signedIn) {
    const { reason, account, network } = attempt;
    c.var.audit({ event: 'login_failed', clientId: request.clientId, detail: { reason, account, network } });
    return loginForm(c, request, 401, email, 'loginFailed');
  }
  const { result } = attempt;
  if (result.outcome === 'second_factor') return awaitSecondFactor(c, request, attempt.user, result.step);
  return continueSignedIn(c, request, attempt.user, { ...attempt.outcome, result });
}
