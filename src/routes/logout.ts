import * as v from 'valibot';
import { seal, unseal } from '../crypto/seal';
import { findClient } from '../http/find-client';
import { pageRefusal } from '../errors/oauth-error';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { currentSession, endSession, type SessionCookie } from '../interaction/session-cookie';
import { optionalParam, singleValuedParams } from '../oauth/params';
import { withQuery } from '../oauth/redirect-uri';
import { getSealingKey } from '../tokens/key-cache';
import { verifyIdTokenHint } from '../tokens/verify';
import { logoutConfirmPage, signedOutPage } from '../views/pages';
import { renderPage } from '../views/page-response';

const PURPOSE = 'edge-auth/logout/v1';
const CONFIRMATION_TTL_MS = 10 * 60 * 1000;

/** Where to go after logout, checked against the client's registered URIs before it is trusted. */
interface LogoutTarget {
  postLogoutRedirectUri?: string | undefined;
  state?: string | undefined;
}

/** A sealed confirmation, bound to the session it was shown for. */
const ConfirmationSchema = v.object({
  postLogoutRedirectUri: v.optional(v.string()),
  state: v.optional(v.string()),
  sessionId: v.string(),
  expiresAt: v.number(),
});
type Confirmation = v.InferOutput<typeof ConfirmationSchema>;

const refused = (description: string) => pageRefusal('Sign-out request not valid', description);

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
  return c.req.method === 'POST' ? readForm(c) : singleValuedParams(new URL(c.req.url).searchParams);
}

async function signOut(c: AppContext, session: SessionCookie | undefined, target: LogoutTarget): Promise<Response> {
  await endSession(c, session);
  if (session) c.var.audit({ event: 'session_ended', actor: `user:${session.userId}`, userId: session.userId });
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
    const unsealed = v.safeParse(ConfirmationSchema, await unseal(await getSealingKey(c.env), PURPOSE, sealed));
    const confirmation = unsealed.success ? unsealed.output : undefined;
    if (!confirmation || !(confirmation.expiresAt > Date.now())) {
      throw refused('This sign-out page has expired. Return to the app and try again.');
    }
    // The confirmation is bound to the session it was shown for: a newer session is left alone.
    if (session?.sessionId !== confirmation.sessionId) return finish(c, confirmation);
    return signOut(c, session, confirmation);
  }

  const rawHint = optionalParam(params, 'id_token_hint');
  const hint = rawHint === undefined ? undefined : await verifyIdTokenHint(c.env, rawHint);
  if (rawHint !== undefined && !hint) throw refused('The app sent an ID token this server did not issue.');
  const target = await logoutTarget(c.env, params, hint?.aud);
  if (!session || (hint && hint.sub === session.userId)) return signOut(c, session, target);

  const confirmation: Confirmation = { ...target, sessionId: session.sessionId, expiresAt: Date.now() + CONFIRMATION_TTL_MS };
  const value = await seal(await getSealingKey(c.env), PURPOSE, confirmation);
  // The confirming POST answers with a redirect to the app, which the page's CSP form-action must allow.
  if (target.postLogoutRedirectUri) c.set('formTargets', [target.postLogoutRedirectUri]);
  return renderPage(c, 200, (nonce) => logoutConfirmPage({ nonce, confirmation: value }));
}
