import * as v from 'valibot';
import { seal, unseal } from '../crypto/seal';
import { findClient } from '../http/find-client';
import { localizedPageRefusal } from '../errors/oauth-error';
import type { AppContext } from '../http/context';
import { readForm } from '../http/request-body';
import { LOCALES, type Locale, type TextKey } from '../i18n/messages';
import { negotiateLocale } from '../i18n/negotiate';
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
  locale: v.optional(v.picklist(LOCALES)),
});
type Confirmation = v.InferOutput<typeof ConfirmationSchema>;

const refused = (description: TextKey) => localizedPageRefusal({ title: 'logoutInvalidTitle', description });

async function logoutTarget(env: Env, params: Map<string, string>, hintAudience: string | undefined): Promise<LogoutTarget> {
  const postLogoutRedirectUri = optionalParam(params, 'post_logout_redirect_uri');
  const clientId = optionalParam(params, 'client_id');
  if (clientId && hintAudience && clientId !== hintAudience) throw refused('logoutClientMismatch');
  if (postLogoutRedirectUri === undefined) return { postLogoutRedirectUri, state: undefined };
  const owner = clientId ?? hintAudience;
  const client = owner === undefined ? undefined : await findClient(env, owner);
  // Exact match only, as for redirect URIs: never an open redirect.
  if (!client?.postLogoutRedirectUris.includes(postLogoutRedirectUri)) {
    throw refused('unregisteredReturn');
  }
  return { postLogoutRedirectUri, state: optionalParam(params, 'state') };
}

function finish(c: AppContext, target: LogoutTarget, locale: Locale): Response | Promise<Response> {
  c.header('Cache-Control', 'no-store');
  if (target.postLogoutRedirectUri) return c.redirect(withQuery(target.postLogoutRedirectUri, { state: target.state }), 303);
  return renderPage(c, 200, (nonce) => signedOutPage({ nonce, locale }));
}

async function logoutParams(c: AppContext): Promise<Map<string, string>> {
  return c.req.method === 'POST' ? readForm(c) : singleValuedParams(new URL(c.req.url).searchParams);
}

async function signOut(c: AppContext, session: SessionCookie | undefined, target: LogoutTarget, locale: Locale): Promise<Response> {
  await endSession(c, session);
  if (session) c.var.audit({ event: 'session_ended', actor: `user:${session.userId}`, userId: session.userId });
  return finish(c, target, locale);
}

/**
 * GET or POST /logout: OpenID Connect RP-Initiated Logout. With an ID token of the signed-in user
 * the session ends at once; otherwise the user confirms, so a cross-site link cannot sign them out.
 */
export async function logout(c: AppContext): Promise<Response> {
  const params = await logoutParams(c);
  const session = await currentSession(c);
  // RP-Initiated Logout 1.0 section 2: the app may name the pages' language, as at /authorize.
  const locale = negotiateLocale(optionalParam(params, 'ui_locales'), c.req.header('Accept-Language'));
  c.set('flowLocale', locale);

  const sealed = c.req.method === 'POST' ? optionalParam(params, 'confirmation') : undefined;
  if (sealed !== undefined) {
    const unsealed = v.safeParse(ConfirmationSchema, await unseal(await getSealingKey(c.env), PURPOSE, sealed));
    const confirmation = unsealed.success ? unsealed.output : undefined;
    if (!confirmation || !(confirmation.expiresAt > Date.now())) {
      throw refused('logoutExpired');
    }
    // The confirmation is bound to the session it was shown for: a newer session is left alone.
    const confirmedLocale = confirmation.locale ?? locale;
    c.set('flowLocale', confirmedLocale);
    if (session?.sessionId !== confirmation.sessionId) return finish(c, confirmation, confirmedLocale);
    return signOut(c, session, confirmation, confirmedLocale);
  }

  const rawHint = optionalParam(params, 'id_token_hint');
  const hint = rawHint === undefined ? undefined : await verifyIdTokenHint(c.env, rawHint);
  if (rawHint !== undefined && !hint) throw refused('logoutUnknownHint');
  const target = await logoutTarget(c.env, params, hint?.aud);
  if (!session || (hint && hint.sub === session.userId)) return signOut(c, session, target, locale);

  const confirmation: Confirmation = { ...target, sessionId: session.sessionId, expiresAt: Date.now() + CONFIRMATION_TTL_MS, locale };
  const value = await seal(await getSealingKey(c.env), PURPOSE, confirmation);
  // The confirming POST answers with a redirect to the app, which the page's CSP form-action must allow.
  if (target.postLogoutRedirectUri) c.set('formTargets', [target.postLogoutRedirectUri]);
  return renderPage(c, 200, (nonce) => logoutConfirmPage({ nonce, confirmation: value, locale }));
}
