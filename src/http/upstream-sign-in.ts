import * as oauth from 'oauth4webapi';
import type { ConnectionRow } from '../db/schema';
import { appleUserName, claimTrue, DEFAULT_SCOPES, defaultResponseMode, GITHUB, type UpstreamIdentity } from '../oauth/connection-presets';
import { asUpstreamError, clientAuthFor, UpstreamError, upstreamFor, type Upstream } from './upstream-server';

/** What the callback must find again: made at the start, kept sealed in the browser (src/interaction/federation-state.ts). */
export interface UpstreamAttempt {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export function newAttempt(): UpstreamAttempt {
  return { state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce(), codeVerifier: oauth.generateRandomCodeVerifier() };
}

/** Where the browser goes: the upstream's authorization endpoint with PKCE (S256), state and nonce. */
export async function upstreamAuthorizationUrl(env: Env, row: ConnectionRow, redirectUri: string, attempt: UpstreamAttempt): Promise<string> {
  const { as, isOpenId } = await upstreamFor(env, row);
  if (!as.authorization_endpoint) throw new UpstreamError('misconfigured', 'the upstream has no authorization endpoint');
  const url = new URL(as.authorization_endpoint);
  const scopes = row.scopes.length ? row.scopes : DEFAULT_SCOPES[row.type];
  url.searchParams.set('client_id', row.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('state', attempt.state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(attempt.codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (isOpenId) url.searchParams.set('nonce', attempt.nonce);
  const responseMode = row.responseMode ?? defaultResponseMode(row.type);
  if (responseMode === 'form_post') url.searchParams.set('response_mode', 'form_post');
  return url.href;
}

/** GitHub's user and its verified primary address, from its REST API (it has no ID token). */
async function githubIdentity(upstream: Upstream, accessToken: string): Promise<UpstreamIdentity> {
  const headers = new Headers({ Accept: 'application/vnd.github+json', 'User-Agent': 'edge-auth' });
  const fetcher = upstream.options[oauth.customFetch];
  const user = (await (await fetcher(GITHUB.user, { headers: Object.fromEntries(withToken(headers, accessToken)) })).json()) as {
    id?: unknown;
    name?: unknown;
  };
  if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new UpstreamError('bad_response', 'GitHub returned no user id');
  const emails = await fetcher(GITHUB.emails, { headers: Object.fromEntries(withToken(headers, accessToken)) });
  const list = emails.ok ? ((await emails.json()) as { email?: unknown; primary?: unknown; verified?: unknown }[]) : [];
  const primary = Array.isArray(list) ? list.find((entry) => entry.primary === true) : undefined;
  return {
    subject: String(user.id),
    email: typeof primary?.email === 'string' ? primary.email : undefined,
    emailVerified: primary?.verified === true,
    name: typeof user.name === 'string' ? user.name : undefined,
  };
}

function withToken(headers: Headers, token: string): Headers {
  const copy = new Headers(headers);
  copy.set('Authorization', `Bearer ${token}`);
  return copy;
}

/**
 * The callback: `state` and `iss` checked (RFC 9207, when the upstream announces it), the code
 * redeemed with the PKCE verifier, and the ID token validated by oauth4webapi (`iss`, `aud`,
 * `exp`, `iat`, `nonce`) and its signature against the upstream's JWKS (cached per isolate).
 */
export async function completeUpstreamSignIn(
  env: Env,
  row: ConnectionRow,
  redirectUri: string,
  params: URLSearchParams,
  attempt: UpstreamAttempt,
): Promise<UpstreamIdentity> {
  const upstream = await upstreamFor(env, row);
  const { as, client, options } = upstream;
  let callback: URLSearchParams;
  try {
    callback = oauth.validateAuthResponse(as, client, params, attempt.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) throw new UpstreamError('denied', `the upstream answered ${error.error}`);
    throw asUpstreamError(error, 'the authorization response');
  }
  const clientAuth = await clientAuthFor(env, row);
  try {
    const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, callback, redirectUri, attempt.codeVerifier, options);
    if (!upstream.isOpenId) {
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
      return await githubIdentity(upstream, tokens.access_token);
    }
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: attempt.nonce, requireIdToken: true });
    await oauth.validateApplicationLevelSignature(as, response, { ...options, [oauth.jwksCache]: upstream.jwksCache });
    const idToken = oauth.getValidatedIdTokenClaims(tokens)!;
    // OpenID Connect Core 5.4: a provider may return the scopes' claims from UserInfo only.
    const claims =
      typeof idToken.email !== 'string' && as.userinfo_endpoint
        ? { ...(await oauth.processUserInfoResponse(as, client, idToken.sub, await oauth.userInfoRequest(as, client, tokens.access_token, options))), ...idToken }
        : idToken;
    return {
      subject: idToken.sub,
      email: typeof claims.email === 'string' ? claims.email : undefined,
      emailVerified: claimTrue(claims.email_verified),
      // Apple sends the name once, beside the ID token (the form_post's `user` field), never in it.
      name: typeof claims.name === 'string' ? claims.name : row.type === 'apple' ? appleUserName(params.get('user') ?? undefined) : undefined,
    };
  } catch (error) {
    throw asUpstreamError(error, 'the token response');
  }
}
