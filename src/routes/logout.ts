import type { Context } from 'hono';
import { decodeJwt, errors, jwtVerify } from 'jose';
import { getConfig } from '../config';
import { getSealingKey } from '../crypto/keys';
import { localKeySet } from '../crypto/verify-access-token';
import { seal, unseal } from '../crypto/seal';
import { findClient } from '../db/registry';
import { OAuthError, PageError } from '../errors/oauth-error';
import { optionalParam, singleValuedParams } from '../oauth/params';
import { withQuery } from '../oauth/redirect-uri';
import { logoutConfirmPage, signedOutPage } from '../views/pages';
import { renderPage } from '../views/page-response';
import { readForm } from './request-body';
import { currentSession, endSession } from './session-cookie';
import { auditorOf } from '../audit/audit-log';

type AppContext = Context<{ Bindings: Env }>;

const PURPOSE = 'edge-auth/logout/v1';
const CONFIRMATION_TTL_MS = 10 * 60 * 1000;

/** Where to go after logout, checked against the client's registered URIs before it is trusted. */
interface LogoutTarget {
  postLogoutRedirectUri: string | undefined;
  state: string | undefined;
}

interface Confirmation extends LogoutTarget {
  sessionId: string;
  expiresAt: number;
}

const refused = (description: string) => new PageError('Sign-out request not valid', description);

/** The subject and audience of an ID token we issued; expired hints are accepted (RP-Initiated Logout section 2). */
async function verifyIdTokenHint(env: Env, hint: string): Promise<{ sub: string; aud: string }> {
  try {
    const { payload } = await jwtVerify(hint, await localKeySet(env), {
      issuer: getConfig(env).issuer,
      // ID tokens only: an access token (`typ: at+jwt`, RFC 9068 section 4) is no hint.
      typ: 'JWT',
    });
    if (typeof payload.sub === 'string' && typeof payload.aud === 'string') return { sub: payload.sub, aud: payload.aud };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      const claims = decodeJwt(hint);
      if (typeof claims.sub === 'string' && typeof claims.aud === 'string') return { sub: claims.sub, aud: claims.aud };
    }
  }
  throw refused('The app sent an ID token this server did not issue.');
}

async function logoutTarget(env: Env, params: Map<string, string>, hintAudience: string | undefined): Promise<LogoutTarget> {
  const postLogoutRedirectUri = optionalParam(params, 'post_logout_redirect_uri');
  const clientId = optionalParam(params, 'client_id');
  if (clientId && hintAudience && clientId !== hintAudience) throw refused('The client_id does not match the ID token.');
  if (postLogoutRedirectUri === undefined) return { postLogoutRedirectUri, state: undefined };
  const owner = clientId ?? hintAudience;
  const client = owner === undefined ? undefined : await findClient(env, owner);
  // Exact match only, as for redirect URIs: never an open redirect.
  if (!client?.postLogoutRedirectUris.includes(postLogoutRedirectUri)) {
    throw refused('The app asked to return to an address it has not registered.');
  }
  return { postLogoutRedirectUri, state: optionalParam(params, 'state') };
}

function finish(c: AppContext, target: LogoutTarget): Response | Promise<Response> {
  c.header('Cache-Control', 'no-store');
  if (target.postLogoutRedirectUri) return c.redirect(withQuery(target.postLogoutRedirectUri, { state: target.state }), 303);
  return renderPage(c, 200, (nonce) => signedOutPage({ nonce }));
}

async function logoutParams(c: AppContext): Promise<Map<string, string>> {
  try {
    return c.req.method === 'POST' ? await readForm(c) : singleValuedParams(new URL(c.req.url).searchParams);
  } catch (error) {
    throw error instanceof OAuthError ? refused(error.description) : error;
  }
}

async function signOut(c: AppContext, session: { sessionId: string; userId: string } | undefined, target: LogoutTarget): Promise<Response> {
  await endSession(c, session?.sessionId);
  if (session) auditorOf(c)({ event: 'session_ended', actor: `user:${session.userId}`, userId: session.userId });
  return finish(c, target);
}

/**
 * GET or POST /logout: OpenID Connect RP-Initiated Logout. With an ID token of the signed-in user
 * the session ends at once; otherwise the user confirms, so a cross-site link cannot sign them out.
 */
export async function logout(c: AppContext): Promise<Response> {
  const params = await logoutParams(c);
  const session = await currentSession(c);

  const sealed = c.req.method === 'POST' ? optionalParam(params, 'confirmation') : undefined;
  if (sealed !== undefined) {
    const confirmation = (await unseal(await getSealingKey(c.env), PURPOSE, sealed)) as Confirmation | undefined;
    if (!confirmation || typeof confirmation.sessionId !== 'string' || !(confirmation.expiresAt > Date.now())) {
      throw refused('This sign-out page has expired. Return to the app and try again.');
    }
    // The confirmation is bound to the session it was shown for: a newer session is left alone.
    if (session?.sessionId !== confirmation.sessionId) return finish(c, confirmation);
    return signOut(c, session, confirmation);
  }

  const rawHint = optionalParam(params, 'id_token_hint');
  const hint = rawHint === undefined ? undefined : await verifyIdTokenHint(c.env, rawHint);
  const target = await logoutTarget(c.env, params, hint?.aud);
  if (!session || (hint && hint.sub === session.userId)) return signOut(c, session, target);

  const confirmation: Confirmation = { ...target, sessionId: session.sessionId, expiresAt: Date.now() + CONFIRMATION_TTL_MS };
  const value = await seal(await getSealingKey(c.env), PURPOSE, confirmation);
  return renderPage(c, 200, (nonce) => logoutConfirmPage({ nonce, confirmation: value }));
}
