import { AuthorizationError, OAuthProvider, type OAuthHelpers } from '@cloudflare/workers-oauth-provider';
import { CLIENT_ID, REDIRECT_URI, SCOPES, checkLogin, loginPage, textPage, type UserEnv } from '../shared/login';

/**
 * Peer 1 of the benchmark (bench/README.md): a minimal authorization server built on
 * `@cloudflare/workers-oauth-provider`, serving the same native-app sign-in as edge-auth and the
 * floor. The library owns the client registry, the pending request, codes, grants and tokens, all
 * in its KV namespace (OAUTH_KV); this file owns only what the library leaves to the application:
 *
 *   GET  /authorize    parseAuthRequest() (client, redirect URI, PKCE), beginConsent() (the request
 *                      kept in KV behind a handle bound to this browser by a cookie); 302 to /login
 *   GET  /login        the form, carrying the handle
 *   POST /login        the same PBKDF2-SHA256 check as the floor, then approveConsent() and
 *                      completeAuthorization() (the grant and the code); 303 to the app
 *   POST /oauth/token  the library's token endpoint (code, PKCE S256, an opaque access token)
 *   GET  /api/me       the library's bearer check (audience: this server), for the bench's token check
 *
 * Library defaults are kept except where the flow says otherwise: private-use redirect URIs (a
 * native app), a one-hour access token and no refresh token (edge-auth issues none without
 * `offline_access`). `POST /bench/setup` registers the public client once (createClient() makes its
 * own client id) and returns its id; the bench calls it before the first flow.
 */

interface Env extends UserEnv {
  ISSUER: string;
  OAUTH_KV: KVNamespace;
  OAUTH_PROVIDER: OAuthHelpers;
}

const HANDLE = /^[A-Za-z0-9_-]{43}$/;

async function setup(env: Env): Promise<Response> {
  let clientId = await env.OAUTH_KV.get('bench:client-id');
  if (!clientId) {
    const client = await env.OAUTH_PROVIDER.createClient({
      clientName: CLIENT_ID,
      redirectUris: [REDIRECT_URI],
      tokenEndpointAuthMethod: 'none',
      grantTypes: ['authorization_code'],
      responseTypes: ['code'],
    });
    clientId = client.clientId;
    await env.OAUTH_KV.put('bench:client-id', clientId);
  }
  return Response.json({ client_id: clientId });
}

async function login(request: Request, env: Env): Promise<Response> {
  const form = new URLSearchParams(await request.text());
  const handle = form.get('request_id') ?? '';
  if (!HANDLE.test(handle)) return textPage(400, 'Sign-in session expired');
  // The password first: approveConsent() spends the handle, and a mistyped password may try again.
  const userId = await checkLogin(form, env);
  if (!userId) return loginPage('/login', { request_id: handle }, 401);
  const approved = await env.OAUTH_PROVIDER.approveConsent(request, handle);
  const { redirectTo } = await env.OAUTH_PROVIDER.completeAuthorization({
    request: approved.request,
    userId,
    metadata: {},
    scope: approved.request.scope,
    props: { userId },
  });
  approved.headers.set('Location', redirectTo);
  return new Response(null, { status: 303, headers: approved.headers });
}

const defaultHandler: ExportedHandler<Env> = {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    try {
      switch (`${request.method} ${url.pathname}`) {
        case 'GET /authorize': {
          const authRequest = await env.OAUTH_PROVIDER.parseAuthRequest(request);
          const consent = await env.OAUTH_PROVIDER.beginConsent(authRequest);
          consent.headers.set('Location', `/login?request_id=${consent.handle}`);
          return new Response(null, { status: 302, headers: consent.headers });
        }
        case 'GET /login': {
          const handle = url.searchParams.get('request_id') ?? '';
          return HANDLE.test(handle) ? loginPage('/login', { request_id: handle }) : textPage(400, 'Sign-in session expired');
        }
        case 'POST /login':
          return await login(request, env);
        case 'POST /bench/setup':
          return await setup(env);
        default:
          return textPage(404, 'not found');
      }
    } catch (error) {
      if (error instanceof AuthorizationError) {
        return error.redirectTo ? Response.redirect(error.redirectTo, 302) : textPage(400, error.description);
      }
      throw error;
    }
  },
};

/**
 * Made on the first request, once per isolate: its resource (the access tokens' audience) is this
 * server's own address, ISSUER, which the bench sets to where it serves the worker, so the bench's
 * token check at /api/me is the library's own resource-side check.
 */
let provider: OAuthProvider<Env> | undefined;

export default {
  fetch(request, env, ctx): Promise<Response> {
    provider ??= new OAuthProvider<Env>({
      apiRoute: '/api/',
      apiHandler: {
        fetch: (_request, _env, ctx) => Response.json({ props: ctx.props }),
      },
      defaultHandler,
      authorizeEndpoint: '/authorize',
      tokenEndpoint: '/oauth/token',
      scopesSupported: SCOPES,
      resourceMetadata: { resource: env.ISSUER },
      allowPrivateUseRedirectUris: true,
      accessTokenTTL: 3600,
      refreshTokenTTL: 0,
    });
    return provider.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
