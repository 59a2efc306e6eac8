import type { AppContext } from '../http/context';
import { pageLocale } from '../interaction/page-locale';
import { correlationId } from '../crypto/random';
import { federationErrorPage, type FederationProblem } from '../views/federation-pages';
import { renderPage } from '../views/page-response';

/**
 * An upstream sign-in that ended without a sign-in: an audit event with the stable reason, and a
 * page (never a 5xx) that says what happened and leads back to the login form.
 */
export function federationError(
  c: AppContext,
  failure: { problem: FederationProblem; connection: string; provider?: string; reason: string; why?: string; canRetry: boolean },
): Promise<Response> {
  const requestId = correlationId();
  c.var.audit({
    event: 'federated_login_failed',
    detail: { connection: failure.connection.slice(0, 40), reason: failure.reason, ...(failure.why && { why: failure.why.slice(0, 300) }), request_id: requestId },
  });
  const provider = failure.provider ?? failure.connection;
  return renderPage(c, 400, (nonce) => federationErrorPage({ nonce, problem: failure.problem, provider, locale: c.var.flowLocale ?? pageLocale(c, undefined), requestId, canRetry: failure.canRetry }));
}
