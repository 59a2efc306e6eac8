import type { Context } from 'hono';
import { auditorOf } from '../audit/audit-log';
import { getConfig } from '../config';
import { timingSafeEqual } from '../crypto/timing-safe';
import { saveConsent } from '../db/consents';
import { grantStore } from '../durable-objects/grant-store';
import { findClient } from '../db/registry';
import { OAuthError, PageError } from '../errors/oauth-error';
import type { LoginRequest } from '../oauth/login-request';
import { withQuery } from '../oauth/redirect-uri';
import { consentPage } from '../views/pages';
import { renderPage } from '../views/page-response';
import { issueCode, redirectToApp, requestAlreadyUsed } from './authorization-response';
import { checkOrigin } from './login';
import { clearLoginRequestCookie, readLoginRequestCookie } from './login-request-cookie';
import { readForm } from './request-body';

type AppContext = Context<{ Bindings: Env }>;

async function awaitingConsent(c: AppContext): Promise<LoginRequest & { authenticated: NonNullable<LoginRequest['authenticated']> }> {
  const request = await readLoginRequestCookie(c);
  if (!request?.authenticated) throw requestAlreadyUsed();
  return request as LoginRequest & { authenticated: NonNullable<LoginRequest['authenticated']> };
}

/** GET /consent: what the app asks for, to allow or deny (OIDC Core 3.1.2.4). */
export async function showConsent(c: AppContext): Promise<Response> {
  const request = await awaitingConsent(c);
  const client = await findClient(c.env, request.clientId);
  return renderPage(c, 200, (nonce) =>
    consentPage({ nonce, clientName: request.clientName, requestId: request.id, scopes: request.scopes, logoUri: client?.logoUri, accent: client?.primaryColor }),
  );
}

/** POST /consent: allow issues the code and remembers the consent; deny returns access_denied to the app. */
export async function submitConsent(c: AppContext): Promise<Response> {
  checkOrigin(c);
  const form = await readForm(c).catch((error: unknown) => {
    throw error instanceof OAuthError ? new PageError('Request refused', error.description) : error;
  });
  const request = await awaitingConsent(c);
  if (!timingSafeEqual(form.get('request_id') ?? '', request.id)) throw requestAlreadyUsed();
  clearLoginRequestCookie(c);
  if (form.get('decision') !== 'allow') {
    // RFC 6749 section 4.1.2.1: the user said no, and the request is spent: no later "allow".
    await grantStore(c.env, request.id).close(request.expiresAt);
    const location = withQuery(request.redirectUri, {
      error: 'access_denied',
      error_description: 'The user denied the request.',
      state: request.state,
      iss: getConfig(c.env).issuer,
    });
    return redirectToApp(c, location, 303);
  }
  const [location] = await Promise.all([
    issueCode(c, request, request.authenticated),
    saveConsent(c.env, request.authenticated.userId, request.clientId, request.scopes),
  ]);
  auditorOf(c)({ event: 'code_issued', clientId: request.clientId, userId: request.authenticated.userId, grantId: request.id, detail: { consent: true } });
  return redirectToApp(c, location, 303);
}
