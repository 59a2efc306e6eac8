import { findConnectionByName } from '../db/connections';
import { linkIdentity } from '../db/identities';
import type { ConnectionRow } from '../db/schema';
import type { AppContext } from '../http/context';
import { findClient } from '../http/find-client';
import { readForm } from '../http/request-body';
import { newAttempt, upstreamAuthorizationUrl } from '../http/upstream-sign-in';
import { UpstreamError } from '../http/upstream-server';
import { FEDERATION_TTL_SECONDS, clearPendingLink, readPendingLink, setFederationState } from '../interaction/federation-state';
import { checkFormOrigin } from '../interaction/form-origin';
import { pendingRequest } from '../interaction/login-request-cookie';
import { MAX_PASSWORD_LENGTH, signInWithPassword } from '../interaction/password-sign-in';
import { awaitSecondFactor, continueSignedIn, signInUser } from '../interaction/sign-in';
import { LINKING_AMR } from '../oauth/authentication-methods';
import { linkAccountPage, type FederationProblem } from '../views/federation-pages';
import { renderPage } from '../views/page-response';
import { federationError } from './federation-error';

/** Where every upstream sends the browser back (registered at the upstream as the redirect URI). */
export const federationCallbackUri = (c: AppContext) => `${c.var.config.issuer}/login/federated/callback`;

/** What the page calls the upstream: its brand for the presets, the operator's name otherwise. */
export const providerName = (row: ConnectionRow | undefined) =>
  row ? ({ google: 'Google', apple: 'Apple', github: 'GitHub', oidc: row.displayName } as const)[row.type] : '';

export const problemFor = (error: UpstreamError): FederationProblem =>
  error.reason === 'denied' ? 'denied' : error.reason === 'unavailable' || error.reason === 'misconfigured' ? 'unavailable' : 'refused';

/**
 * GET /login/federated/:name: from a button of the login page to the upstream's authorization
 * endpoint, with PKCE, `state` and `nonce` sealed into a cookie bound to this pending request. Only
 * connections the request's client offers. No storage: the connection comes from the isolate's
 * cache, the discovery document too after its first fetch.
 */
export async function startFederation(c: AppContext): Promise<Response> {
  const request = await pendingRequest(c);
  const name = c.req.param('name') ?? '';
  const client = await findClient(c.env, request.clientId);
  const row = client?.connections.includes(name) ? await findConnectionByName(c.env, name) : undefined;
  if (!row) return federationError(c, { problem: 'expired', connection: name, reason: 'unknown_connection', canRetry: true });
  const attempt = newAttempt();
  let location: string;
  try {
    location = await upstreamAuthorizationUrl(c.env, row, federationCallbackUri(c), attempt);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return federationError(c, { problem: problemFor(error), connection: row.name, provider: providerName(row), reason: error.reason, why: error.message, canRetry: true });
  }
  await setFederationState(c, { ...attempt, connection: row.name, requestId: request.id, expiresAt: Date.now() + FEDERATION_TTL_SECONDS * 1000 });
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  return c.redirect(location, 303);
}

/**
 * POST /login/federated/link: the person proves the existing account with its password (the
 * login form's lock and limits), then the upstream identity is linked and the request continues.
 */
export async function submitFederationLink(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const request = await pendingRequest(c);
  const link = await readPendingLink(c);
  if (!link || link.requestId !== request.id) return federationError(c, { problem: 'expired', connection: link?.connection ?? '', reason: 'link_expired', canRetry: true });
  const password = form.get('password') ?? '';
  const provider = providerName(await findConnectionByName(c.env, link.connection));
  const again = (status: 400 | 401) =>
    renderPage(c, status, (nonce) => linkAccountPage({ nonce, provider, email: link.email, locale: request.locale, failed: true }));
  if (password === '' || password.length > MAX_PASSWORD_LENGTH) return again(400);

  // The password must be the linked account's: the pending link names it, the form cannot change it.
  const attempt = await signInWithPassword(c, link.email, password, (user, valid) =>
    signInUser(c, request, user, valid && user.id === link.userId, LINKING_AMR),
  );
  if (!attempt.signedIn) {
    const { reason, account, network } = attempt;
    c.var.audit({ event: 'login_failed', clientId: request.clientId, detail: { reason, account, network, page: 'link' } });
    return again(401);
  }
  await linkIdentity(c.env, { connectionId: link.connectionId, subject: link.subject, userId: link.userId, email: link.email });
  clearPendingLink(c);
  c.var.audit({ event: 'identity_linked', actor: `user:${link.userId}`, userId: link.userId, clientId: request.clientId, detail: { connection: link.connection } });
  const { result } = attempt;
  if (result.outcome === 'second_factor') return awaitSecondFactor(c, request, attempt.user, result.step, LINKING_AMR);
  return continueSignedIn(c, request, attempt.user, { ...attempt.outcome, result });
}
