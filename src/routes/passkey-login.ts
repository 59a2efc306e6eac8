import { timingSafeEqual } from '../crypto/timing-safe';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { checkFormOrigin } from '../interaction/form-origin';
import { pendingRequest } from '../interaction/login-request-cookie';
import { signInWithPasskey } from '../interaction/passkey-sign-in';
import { continueSignedIn } from '../interaction/sign-in';
import { pendingRequestGone } from '../oauth/login-request';
import { loginForm } from './login';

/**
 * POST /login/passkey: the login page's script posts the passkey assertion as a form, so the
 * answer is the password form's: a 303 back to the app with the code (or on to consent), or the
 * login page again with one message whatever went wrong.
 */
export async function submitPasskeyLogin(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const request = await pendingRequest(c);
  if (!timingSafeEqual(form.get('request_id') ?? '', request.id)) throw pendingRequestGone();

  const attempt = await signInWithPasskey(c, request, form.get('credential') ?? '');
  if (!attempt.signedIn) {
    c.var.audit({ event: 'login_failed', clientId: request.clientId, detail: { reason: `passkey_${attempt.reason}`.slice(0, 64), network: attempt.network } });
    return loginForm(c, request, 401, undefined, 'passkeyFailed');
  }
  return continueSignedIn(c, request, { id: attempt.userId, locale: attempt.locale }, { result: attempt.result, codeLocation: attempt.codeLocation, sessionHandle: attempt.sessionHandle });
}
