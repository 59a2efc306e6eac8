import { seal, unseal } from '../crypto/seal';
import { sha256Base64url } from '../crypto/hash';
import { timingSafeEqual } from '../crypto/timing-safe';
import { findConnectionByName } from '../db/connections';
import { spendUpstreamState } from '../db/spent-states';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { completeUpstreamSignIn } from '../http/upstream-sign-in';
import { UpstreamError } from '../http/upstream-server';
import { resolveFederatedUser } from '../interaction/federated-account';
import { clearFederationState, FEDERATION_TTL_SECONDS, readFederationState, setPendingLink } from '../interaction/federation-state';
import { readLoginRequestCookie } from '../interaction/login-request-cookie';
import { awaitSecondFactor, continueSignedIn, signInUser } from '../interaction/sign-in';
import { FEDERATED_AMR } from '../oauth/authentication-methods';
import { getSealingKey } from '../tokens/key-cache';
import { linkAccountPage } from '../views/federation-pages';
import { renderPage } from '../views/page-response';
import { federationError } from './federation-error';
import { federationCallbackUri, problemFor, providerName } from './federation';

/** The authorization response's parameters that matter; anything else an upstream adds is dropped. */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'user'] as const;
const POSTED_PURPOSE = 'edge-auth/federation-posted-response/v1';
/** The 303 is followed at once; a minute is plenty. */
const POSTED_TTL_MS = 60_000;

/**
 * POST /login/federated/callback (response_mode=form_post, as Apple answers): the upstream's page
 * posts cross-site, so the browser sends no SameSite=Lax cookie with it. This step reads no cookie:
 * it seals the response (so it is neither readable nor alterable in the URL) and answers 303 to the
 * GET below, a top-level navigation to our own origin that carries the Lax cookies again.
 */
export async function receivePostedResponse(c: AppContext): Promise<Response> {
  const form = await readForm(c);
  const kept = Object.fromEntries(RESPONSE_PARAMS.flatMap((name) => (form.has(name) ? [[name, form.get(name)!.slice(0, 2048)]] : [])));
  const sealed = await seal(await getSealingKey(c.env), POSTED_PURPOSE, { params: kept, expiresAt: Date.now() + POSTED_TTL_MS });
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  return c.redirect(`/login/federated/callback?posted=${sealed}`, 303);
}

/** The callback's parameters: from the query, or from the response the POST step sealed. */
async function responseParams(c: AppContext): Promise<URLSearchParams | undefined> {
  const posted = c.req.query('posted');
  if (posted === undefined) return new URLSearchParams(new URL(c.req.url).search);
  const value = (await unseal(await getSealingKey(c.env), POSTED_PURPOSE, posted)) as { params?: Record<string, string>; expiresAt?: number } | undefined;
  return value?.params && (value.expiresAt ?? 0) > Date.now() ? new URLSearchParams(value.params) : undefined;
}

/**
 * GET /login/federated/callback: the upstream's answer for this browser's upstream sign-in, which
 * must belong to the pending authorization request and is used once; then the identity signs a
 * user in (or asks to link), and the request goes on as after a password sign-in.
 */
export async function completeFederation(c: AppContext): Promise<Response> {
  const [state, request, params] = await Promise.all([readFederationState(c), readLoginRequestCookie(c), responseParams(c)]);
  clearFederationState(c);
  const expired = (reason: string, connection = state?.connection ?? '') => federationError(c, { problem: 'expired', connection, reason, canRetry: request !== undefined });
  if (!state || !params) return expired('no_state');
  if (!request || request.id !== state.requestId) return expired('request_changed');
  if (!timingSafeEqual(params.get('state') ?? '', state.state)) return expired('state_mismatch');
  // Single use: a replayed answer (same state) is refused before the upstream is asked again.
  if (!(await spendUpstreamState(c.env, await sha256Base64url(state.state), new Date(state.expiresAt)))) return expired('state_replayed');

  const row = await findConnectionByName(c.env, state.connection);
  if (!row) return expired('unknown_connection');
  const provider = providerName(row);
  let identity;
  try {
    identity = await completeUpstreamSignIn(c.env, row, federationCallbackUri(c), params, state);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return federationError(c, { problem: problemFor(error), connection: row.name, provider, reason: error.reason, why: error.message, canRetry: true });
  }

  const resolved = await resolveFederatedUser(c, row, identity);
  if (resolved.kind === 'refused') return federationError(c, { problem: resolved.problem, connection: row.name, provider, reason: resolved.problem, canRetry: true });
  if (resolved.kind === 'link') {
    const { user } = resolved;
    await setPendingLink(c, {
      connectionId: row.id, connection: row.name, subject: identity.subject, email: user.email, userId: user.id, requestId: request.id,
      expiresAt: Date.now() + FEDERATION_TTL_SECONDS * 1000,
    });
    return renderPage(c, 200, (nonce) => linkAccountPage({ nonce, provider, email: user.email, locale: request.locale }));
  }

  const { user } = resolved;
  const signIn = await signInUser(c, request, user, true, FEDERATED_AMR);
  // An account with an authenticator app (or a client that requires one) still gives its code.
  if (signIn.result.outcome === 'second_factor') return awaitSecondFactor(c, request, user, signIn.result.step, FEDERATED_AMR);
  if (signIn.result.outcome !== 'succeeded') {
    return federationError(c, { problem: 'denied', connection: row.name, provider, reason: signIn.result.outcome, canRetry: true });
  }
  c.var.audit({ event: 'federated_login', actor: `user:${user.id}`, userId: user.id, clientId: request.clientId, detail: { connection: row.name, created: resolved.created } });
  return continueSignedIn(c, request, user, { ...signIn, result: signIn.result });
}
