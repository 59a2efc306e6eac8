import { timingSafeEqual } from '../crypto/timing-safe';
import { newTotpSecret } from '../crypto/totp';
import { findUserById } from '../db/users';
import type { AppContext } from '../http/context';
import { findClient } from '../http/find-client';
import { readForm } from '../http/request-body';
import { messagesFor } from '../i18n/messages';
import { checkFormOrigin } from '../interaction/form-origin';
import { pendingRequest, setLoginRequestCookie } from '../interaction/login-request-cookie';
import { completeSignIn, enrolDuringSignIn, enrolmentCode, factorNetworkLimited, factorProof, otpauthUri } from '../interaction/second-factor';
import { setSessionCookie } from '../interaction/session-cookie';
import { continueSignedIn } from '../interaction/sign-in';
import { pendingRequestGone, type LoginRequest, type PendingSecondFactor } from '../oauth/login-request';
import { renderPage } from '../views/page-response';
import { enrolPage, recoveryCodesPage, secondFactorPage } from '../views/second-factor-pages';

const PAGE = '/login/second-factor';

/** The browser's request waiting for its second factor, or the page that says it is gone. */
async function waitingRequest(c: AppContext): Promise<LoginRequest & { secondFactor: PendingSecondFactor }> {
  const request = await pendingRequest(c);
  if (!request.secondFactor) throw pendingRequestGone();
  return { ...request, secondFactor: request.secondFactor };
}

async function brandOf(c: AppContext, request: LoginRequest) {
  const client = await findClient(c.env, request.clientId);
  return { brand: { name: request.clientName, logoUri: client?.logoUri }, accent: client?.primaryColor };
}

async function codePage(c: AppContext, request: LoginRequest, status: 200 | 401 | 429, recovery: boolean, error?: string): Promise<Response> {
  const { brand } = await brandOf(c, request);
  return renderPage(c, status, (nonce) =>
    secondFactorPage({
      nonce, locale: request.locale, brand, error, recovery,
      form: { action: PAGE, hidden: { request_id: request.id } },
      switchHref: recovery ? PAGE : `${PAGE}?recovery=1`,
    }),
  );
}

/** The enrolment page of a request whose client (or acr_values) requires a factor the user lacks; its secret is kept in the request's cookie. */
async function enrolmentPage(c: AppContext, request: LoginRequest & { secondFactor: PendingSecondFactor }, status: 200 | 401, error?: string): Promise<Response> {
  const secret = request.secondFactor.enrolSecret ?? newTotpSecret();
  if (!request.secondFactor.enrolSecret) await setLoginRequestCookie(c, { ...request, secondFactor: { ...request.secondFactor, enrolSecret: secret } });
  const user = await findUserById(c.env, request.secondFactor.userId);
  if (!user) throw pendingRequestGone();
  const { brand } = await brandOf(c, request);
  const uri = otpauthUri(new URL(c.var.config.issuer).host, user.email, secret);
  return renderPage(c, status, (nonce) =>
    enrolPage({ nonce, locale: request.locale, brand, error, secret, uri, requiredBy: request.clientName, form: { action: `${PAGE}/enrol`, hidden: { request_id: request.id } } }),
  );
}

/** GET /login/second-factor: "Enter the code from your authenticator app" (or a recovery code), or the enrolment page. */
export async function showSecondFactor(c: AppContext): Promise<Response> {
  const request = await waitingRequest(c);
  if (request.secondFactor.step === 'enrol') return enrolmentPage(c, request, 200);
  return codePage(c, request, 200, c.req.query('recovery') === '1');
}

/**
 * POST /login/second-factor: one call to the user's object checks the code (window, replay, its
 * own lock), opens the session with the methods of both factors, and issues the code.
 */
export async function submitSecondFactor(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const request = await waitingRequest(c);
  if (!timingSafeEqual(form.get('request_id') ?? '', request.id) || request.secondFactor.step !== 'challenge') throw pendingRequestGone();
  const recovery = form.has('recovery_code');
  const t = messagesFor(request.locale);
  if (await factorNetworkLimited(c)) return codePage(c, request, 429, recovery, t.tooManyAttempts);
  const proof = await factorProof(form);
  const { userId } = request.secondFactor;
  const signIn = proof && (await completeSignIn(c, request, request.secondFactor, proof));
  const { result } = signIn ?? { result: { outcome: 'rejected' as const } };
  if (!signIn || result.outcome !== 'succeeded') {
    c.var.audit({ event: 'second_factor_failed', actor: `user:${userId}`, clientId: request.clientId, userId, detail: { method: proof?.kind ?? 'none', reason: result.outcome } });
    return codePage(c, request, 401, recovery, t.codeRejected);
  }
  c.var.audit({ event: 'second_factor_succeeded', actor: `user:${userId}`, clientId: request.clientId, userId, detail: { method: proof.kind } });
  // The password step already put the person's saved language into the request (src/routes/login.ts).
  return continueSignedIn(c, { ...request, secondFactor: undefined }, { id: userId, locale: null }, { ...signIn, result });
}

/**
 * POST /login/second-factor/enrol: the first code proves the app holds the secret; one call saves
 * it with the recovery codes' hashes and opens the session. The recovery codes are shown once;
 * "Continue" goes on as single sign-on does, with the new (multi-factor) session.
 */
export async function submitEnrolment(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const request = await waitingRequest(c);
  const pending = request.secondFactor;
  if (!timingSafeEqual(form.get('request_id') ?? '', request.id) || pending.step !== 'enrol' || !pending.enrolSecret) throw pendingRequestGone();
  const code = enrolmentCode(form);
  const enrolled = code && (await enrolDuringSignIn(c, request, { ...pending, enrolSecret: pending.enrolSecret }, code));
  if (!enrolled || enrolled.result.outcome !== 'succeeded') return enrolmentPage(c, request, 401, messagesFor(request.locale).codeRejected);
  setSessionCookie(c, { handle: enrolled.sessionHandle });
  await setLoginRequestCookie(c, { ...request, secondFactor: undefined, confirmSession: {} });
  const { userId } = pending;
  c.var.audit({ event: 'second_factor_enrolled', actor: `user:${userId}`, clientId: request.clientId, userId, detail: { method: 'totp', during: 'sign_in' } });
  c.var.audit({ event: 'login_succeeded', actor: `user:${userId}`, clientId: request.clientId, userId, grantId: request.id });
  return renderPage(c, 200, (nonce) =>
    recoveryCodesPage({ nonce, locale: request.locale, codes: enrolled.codes, next: { action: '/login/continue', hidden: { request_id: request.id } } }),
  );
}
