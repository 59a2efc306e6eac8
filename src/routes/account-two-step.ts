import { verifyPassword } from '../crypto/password';
import { newTotpSecret } from '../crypto/totp';
import { userStore } from '../durable-objects/user-store';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { checkFormOrigin } from '../interaction/form-origin';
import { pageLocale } from '../interaction/page-locale';
import { enrolmentCode, factorNetworkLimited, factorProof, newRecoveryCodes, otpauthUri } from '../interaction/second-factor';
import { newSession, setSessionCookie } from '../interaction/session-cookie';
import { PASSWORD_AMR } from '../oauth/authentication-methods';
import { renderPage } from '../views/page-response';
import { enrolPage, recoveryCodesPage } from '../views/second-factor-pages';
import { accountSecondFactorPage, ENROLMENT, FIRST_FACTOR, sealFor, unsealFor } from '../interaction/account-second-factor';
import { accountForm, accountWords, notSignedIn, renderAccount, signedInAccount } from './account';

async function enrolmentForm(c: AppContext, userId: string, email: string, secret: string, status: 200 | 401, error?: string): Promise<Response> {
  const token = await sealFor(c, ENROLMENT, { userId, secret });
  const uri = otpauthUri(new URL(c.var.config.issuer).host, email, secret);
  return renderPage(c, status, (nonce) => enrolPage({ nonce, locale: pageLocale(c, undefined), error, secret, uri, form: { action: '/account/two-step', hidden: { token } } }));
}

/** GET /account/two-step: the QR code and key of a new secret, sealed into the form (nothing is stored until the first code). */
export async function showTwoStepEnrolment(c: AppContext): Promise<Response> {
  const account = await signedInAccount(c);
  if (!account) return notSignedIn(c);
  if (account.twoStep) return c.redirect('/account', 303);
  return enrolmentForm(c, account.userId, account.user.email, newTotpSecret(), 200);
}

/**
 * POST /account/two-step: the first code proves the app has the secret; one call to the user's
 * object saves it with the recovery codes' hashes and counts this session as multi-factor.
 */
export async function submitTwoStepEnrolment(c: AppContext): Promise<Response> {
  const { account, form } = await accountForm(c);
  if (!account) return notSignedIn(c);
  const sealed = await unsealFor<{ userId: string; secret: string }>(c, ENROLMENT, form.get('token') ?? '');
  if (!sealed || sealed.userId !== account.userId || typeof sealed.secret !== 'string') return c.redirect('/account/two-step', 303);
  const code = enrolmentCode(form);
  const recovery = await newRecoveryCodes();
  const result = code && (await userStore(c.env, account.userId).secondFactor({ op: 'enrol', secret: sealed.secret, code, recoveryCodeHashes: recovery.hashes, upgradeSession: account.sessionId }));
  if (result && result.outcome === 'already_enrolled') return c.redirect('/account', 303);
  if (!result || result.outcome !== 'enrolled') return enrolmentForm(c, account.userId, account.user.email, sealed.secret, 401, accountWords(c).codeRejected);
  c.var.audit({ event: 'second_factor_enrolled', actor: `user:${account.userId}`, userId: account.userId, detail: { method: 'totp', during: 'account_page' } });
  return renderPage(c, 200, (nonce) =>
    recoveryCodesPage({ nonce, locale: pageLocale(c, undefined), codes: recovery.codes, next: { action: '/account', method: 'get', hidden: { done: 'two_step_on' } } }),
  );
}

/** POST /account/two-step/remove: with the current password, or a code from the app (or a recovery code). */
export async function submitTwoStepRemoval(c: AppContext): Promise<Response> {
  const { account, form } = await accountForm(c);
  if (!account) return notSignedIn(c);
  const t = accountWords(c);
  if (await factorNetworkLimited(c)) return renderAccount(c, account, 429, { notice: { text: t.tooManyAttempts, alert: true } });
  const password = form.get('current_password') ?? '';
  const passwordValid = password !== '' && password.length <= 1024 && (await verifyPassword(password, account.user.passwordHash, c.var.config.passwordHashing));
  const proof = passwordValid ? undefined : await factorProof(form);
  const result = passwordValid || proof ? await userStore(c.env, account.userId).secondFactor({ op: 'remove', proof }) : { outcome: 'rejected' as const };
  if (result.outcome !== 'removed') {
    c.var.audit({ event: 'second_factor_failed', actor: `user:${account.userId}`, userId: account.userId, detail: { method: proof?.kind ?? 'password', reason: result.outcome, page: 'account' } });
    return renderAccount(c, account, 401, { notice: { text: passwordValid || proof ? t.codeRejected : t.wrongCurrentPassword, alert: true } });
  }
  c.var.audit({ event: 'second_factor_removed', actor: `user:${account.userId}`, userId: account.userId, detail: { method: 'totp', by: passwordValid ? 'password' : (proof?.kind ?? null) } });
  return c.redirect('/account?done=two_step_off', 303);
}

/** POST /account/second-factor: the code, then one call checks it and opens the session. */
export async function submitAccountSecondFactor(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const token = form.get('token') ?? '';
  const first = await unsealFor<{ userId: string }>(c, FIRST_FACTOR, token);
  if (!first) return notSignedIn(c);
  // The other kind of code was asked for: the same step, the other field.
  const show = form.get('show');
  if (show === 'recovery' || show === 'app') return accountSecondFactorPage(c, first.userId, 200, { token, recovery: show === 'recovery' });
  const t = accountWords(c);
  if (await factorNetworkLimited(c)) return accountSecondFactorPage(c, first.userId, 429, { token, error: t.tooManyAttempts });
  const proof = await factorProof(form);
  const session = await newSession(c, first.userId);
  const user = { userId: first.userId, session: { id: session.id, secretHash: session.secretHash, expiresAt: session.expiresAt }, amr: [...PASSWORD_AMR] };
  const result = proof ? await userStore(c.env, first.userId).secondFactor({ op: 'complete', proof, user }) : { outcome: 'rejected' as const };
  if (result.outcome !== 'succeeded') {
    c.var.audit({ event: 'second_factor_failed', actor: `user:${first.userId}`, userId: first.userId, detail: { method: proof?.kind ?? 'none', reason: result.outcome, page: 'account' } });
    return accountSecondFactorPage(c, first.userId, 401, { token, error: t.codeRejected });
  }
  setSessionCookie(c, { handle: session.handle });
  c.var.audit({ event: 'second_factor_succeeded', actor: `user:${first.userId}`, userId: first.userId, detail: { method: proof?.kind ?? null, page: 'account' } });
  return c.redirect('/account?done=signed_in', 303);
}
