import { timingSafeEqual } from '../crypto/timing-safe';
import { findClient } from '../http/find-client';
import { findUserById } from '../db/users';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { approveWithSession, isWaitingPage } from '../interaction/approval';
import { checkFormOrigin } from '../interaction/form-origin';
import { clearLoginRequestCookie, pendingRequest } from '../interaction/login-request-cookie';
import { redirectToApp } from '../interaction/redirect-to-app';
import { liveSession, readSessionCookie } from '../interaction/session-cookie';
import { unverifiedApp } from '../oauth/unverified-app';
import { pendingRequestGone, type LoginRequest } from '../oauth/login-request';
import { continuePage } from '../views/continue-page';
import { renderPage } from '../views/page-response';

/**
 * GET /login for a request the browser's session may approve once the person confirms it
 * (src/oauth/session-confirmation.ts): "Continue as …", or undefined when there is no live,
 * recent-enough session to continue with and the password form is due.
 */
export async function continuePageFor(c: AppContext, request: LoginRequest & { confirmSession: { maxAge?: number | undefined } }): Promise<Response | undefined> {
  const session = await readSessionCookie(c);
  if (!session) return undefined;
  const [live, user, client] = await Promise.all([
    liveSession(c, session, request.confirmSession.maxAge),
    findUserById(c.env, session.userId),
    findClient(c.env, request.clientId),
  ]);
  if (!live || !user || user.blocked) return undefined;
  return renderPage(c, 200, (nonce) =>
    continuePage({
      nonce,
      clientName: request.clientName,
      requestId: request.id,
      email: user.email,
      logoUri: client?.logoUri,
      accent: client?.primaryColor,
      unverified: unverifiedApp(client, request.clientId, request.redirectUri),
      locale: request.locale,
    }),
  );
}

/** POST /login/continue: the person confirmed; the session approves the request as single sign-on does. */
export async function submitContinue(c: AppContext): Promise<Response> {
  checkFormOrigin(c);
  const form = await readForm(c);
  const request = await pendingRequest(c);
  if (!timingSafeEqual(form.get('request_id') ?? '', request.id) || !request.confirmSession) throw pendingRequestGone();
  const session = await readSessionCookie(c);
  const location = session && (await approveWithSession(c, request, session, { maxAge: request.confirmSession.maxAge, interactive: true, confirmed: true }));
  // The session ended (or grew too old) since the page was shown: the password form is next.
  if (!location) return c.redirect('/login?account=another', 303);
  // Spent, unless it now waits on one of our pages (afterApproval re-sealed it).
  if (!isWaitingPage(location)) clearLoginRequestCookie(c);
  return redirectToApp(c, location, 303);
}
