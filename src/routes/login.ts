import { sha256Base64url } from '../crypto/hash';
import { needsRehash, verifyPassword } from '../crypto/password';
import { timingSafeEqual } from '../crypto/timing-safe';
import { findClient } from '../http/find-client';
import { findUserByEmail, normalizeEmail, updatePasswordHash } from '../db/users';
import { unknownAccountStore } from '../durable-objects/user-store';
import type { AppContext } from '../http/context';
import { metadataPublisher } from '../oauth/client-metadata-document';
import { readForm } from '../http/request-body';
import { checkFormOrigin } from '../interaction/form-origin';
import { pendingRequest } from '../interaction/login-request-cookie';
import { continueSignedIn, signInUser } from '../interaction/sign-in';
import { pendingRequestGone, type LoginRequest } from '../oauth/login-request';
import { networkKey } from '../oauth/login-throttle';
import { loginPage } from '../views/pages';
import { continuePageFor } from './continue-session';
import { renderPage } from '../views/page-response';

const MAX_EMAIL_LENGTH = 254;
/** Bounds the work one request can buy; far above any real passphrase. */
const MAX_PASSWORD_LENGTH = 1024;
/**
 * One message for unknown accounts, wrong passwords and refused attempts, so the form reveals
 * neither which accounts exist nor that one is locked.
 */
const LOGIN_FAILED = 'Incorrect email or password.';

async function loginForm(c: AppContext, request: LoginRequest, status: 200 | 400 | 401, email?: string, error?: string): Promise<Response> {
  // Branding comes from the (cached) client, so a change shows without a new sign-in request.
  const client = await findClient(c.env, request.clientId);
  return renderPage(c, status, (nonce) =>
    loginPage({
      nonce, clientName: request.clientName, requestId: request.id, logoUri: client?.logoUri, accent: client?.primaryColor, email, error,
      allowSignup: client?.allowSignup, publishedBy: metadataPublisher(request.clientId),
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
    return loginForm(c, request, 400, email.slice(0, MAX_EMAIL_LENGTH), 'Enter your email and password.');
  }

  const network = networkKey(c.req.header('CF-Connecting-IP') ?? 'unknown');
  const fail = (reason: 'network_limited' | 'locked' | 'failed', account: string) => {
    c.var.audit({ event: 'login_failed', clientId: request.clientId, detail: { reason, account, network } });
    return loginForm(c, request, 401, email, LOGIN_FAILED);
  };
  // Per network, by the platform's per-location counter: no object call. A refused attempt reads
  // nothing and hashes nothing, so its cost does not depend on the password.
  const emailHash = await sha256Base64url(normalizeEmail(email));
  if (!(await c.env.LOGIN_NETWORK_LIMIT.limit({ key: network })).success) return fail('network_limited', emailHash.slice(0, 16));

  const user = await findUserByEmail(c.env, email);
  // Hash even for unknown accounts: the answer and its timing must not tell the cases apart.
  const valid = (await verifyPassword(password, user?.passwordHash, c.var.config.passwordHashing)) && !!user && !user.blocked;
  // Unknown emails go through the same lock in a shared object, so they cost and behave the same.
  const signIn = user
    ? await signInUser(c, request, user.id, valid)
    : { result: await unknownAccountStore(c.env, emailHash).signIn({ accountKey: emailHash, passwordValid: false }), codeLocation: '', sessionHandle: '' };
  const { result } = signIn;
  if (result.outcome !== 'succeeded' || !user) return fail(result.outcome === 'succeeded' ? 'failed' : result.outcome, user?.id ?? emailHash.slice(0, 16));

  // A stored hash weaker than configured is replaced now that the password is known, after the response.
  if (needsRehash(user.passwordHash, c.var.config.passwordHashing)) {
    c.executionCtx.waitUntil(updatePasswordHash(c.env, user.id, password, c.var.config.passwordHashing));
  }
  return continueSignedIn(c, request, user.id, { ...signIn, result });
}
