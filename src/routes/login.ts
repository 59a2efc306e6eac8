import { verifyPassword } from '../crypto/password';
import { timingSafeEqual } from '../crypto/timing-safe';
import { findClient } from '../db/registry';
import { findUserByEmail, normalizeEmail } from '../db/users';
import { loginThrottle } from '../durable-objects/login-throttle-store';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { approve } from '../interaction/approval';
import { checkFormOrigin } from '../interaction/form-origin';
import { clearLoginRequestCookie, pendingRequest } from '../interaction/login-request-cookie';
import { redirectToApp } from '../interaction/redirect-to-app';
import { startSession } from '../interaction/session-cookie';
import { pendingRequestGone, type LoginRequest } from '../oauth/login-request';
import { ACCOUNT_POLICY, IP_POLICY } from '../oauth/login-throttle';
import { loginPage } from '../views/pages';
import { renderPage } from '../views/page-response';

const MAX_EMAIL_LENGTH = 254;
/** Bounds the work one request can buy; far above any real passphrase. */
const MAX_PASSWORD_LENGTH = 1024;
/**
 * One message for unknown accounts, wrong passwords and throttled attempts, so the form reveals
 * neither which accounts exist nor that one is locked.
 */
const LOGIN_FAILED = 'Incorrect email or password. Check them, or wait a few minutes and try again.';

async function loginForm(c: AppContext, request: LoginRequest, status: 200 | 400 | 401, email?: string, error?: string): Promise<Response> {
  // Branding comes from the (cached) client, so a change shows without a new sign-in request.
  const client = await findClient(c.env, request.clientId);
  return renderPage(c, status, (nonce) =>
    loginPage({ nonce, clientName: request.clientName, requestId: request.id, logoUri: client?.logoUri, accent: client?.primaryColor, email, error }),
  );
}

/** GET /login: the form for the pending authorization request of this browser. */
export async function showLogin(c: AppContext): Promise<Response> {
  return loginForm(c, await pendingRequest(c), 200);
}

/** POST /login: verifies the password, issues the code, returns to the app (RFC 6749 section 4.1.2, RFC 9207). */
export async function submitLogin(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const request = await pendingRequest(c);
  if (!timingSafeEqual(form.get('request_id') ?? '', request.id)) throw pendingRequestGone();

  const email = form.get('email') ?? '';
  const password = form.get('password') ?? '';
  if (email === '' || password === '' || email.length > MAX_EMAIL_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    return loginForm(c, request, 400, email.slice(0, MAX_EMAIL_LENGTH), 'Enter your email and password.');
  }

  const account = loginThrottle(c.env, 'account', normalizeEmail(email));
  const address = loginThrottle(c.env, 'ip', c.req.header('CF-Connecting-IP') ?? 'unknown');
  const [accountAttempt, addressAttempt, user] = await Promise.all([
    account.begin(ACCOUNT_POLICY),
    address.begin(IP_POLICY),
    findUserByEmail(c.env, email),
  ]);
  // Hash even when refused or unknown: the answer and its timing must not tell the cases apart.
  const valid = await verifyPassword(password, user?.passwordHash, c.var.config.passwordHashIterations);
  const throttled = accountAttempt.refused || addressAttempt.refused;
  // Only a wrong password (or an unknown or blocked account) counts as a failure: a right one
  // refused because too many attempts are in flight must not lock its own account.
  const wrong = !user || !valid || user.blocked;
  const failed = wrong || throttled;
  // A right password refused by the throttle neither counts nor clears: it only releases its attempt.
  const outcome = wrong ? 'failure' : throttled ? 'refused' : 'success';
  const settled = Promise.all([
    account.settle(accountAttempt.ticket, outcome, ACCOUNT_POLICY, true),
    address.settle(addressAttempt.ticket, outcome, IP_POLICY, false),
  ]);
  if (failed) {
    // A failure is recorded before the answer, so the next guess sees it. A blocked account gets
    // the same answer as a wrong password.
    await settled;
    c.var.audit({ event: 'login_failed', clientId: request.clientId, detail: { throttled } });
    return loginForm(c, request, 401, email, LOGIN_FAILED);
  }
  // A success only releases its attempts: no need to wait for that.
  c.executionCtx.waitUntil(settled);

  const signedIn = { userId: user.id, authTime: Math.floor(Date.now() / 1000) };
  // One event for the sign-in and the code it leads to (the grant id names both).
  c.var.audit({ event: 'login_succeeded', actor: `user:${user.id}`, clientId: request.clientId, userId: user.id, grantId: request.id });
  // The code (or the consent step) and the single sign-on session live in different objects: write both at once.
  const [location] = await Promise.all([approve(c, request, signedIn), startSession(c, signedIn)]);
  // Spent, unless it now waits for consent (approve re-sealed it).
  if (location !== '/consent') clearLoginRequestCookie(c);
  // 303: the app's redirect URI is fetched with GET whatever the form's method was.
  return redirectToApp(c, location, 303);
}
