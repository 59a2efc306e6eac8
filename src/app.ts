import { Hono } from 'hono/tiny';
import { cors } from 'hono/cors';
import { ConfigError } from './config';
import { OAuthError, PageError } from './errors/oauth-error';
import { ApiError } from './management/api-error';
import { managementApi } from './management';
import { NO_STORE, oauthErrorResponse, serverErrorResponse } from './errors/responses';
import { authorize } from './routes/authorize';
import { jwks, oauthMetadata, openidConfiguration } from './routes/discovery';
import { showConsent, submitConsent } from './routes/consent';
import { showLogin, submitLogin } from './routes/login';
import { introspect } from './routes/introspection';
import { logout } from './routes/logout';
import { revoke } from './routes/revocation';
import { token } from './routes/token';
import { userinfo } from './routes/userinfo';
import { renderErrorPage } from './views/page-response';

/** Routes a person sees in a browser: their unexpected errors are pages, not JSON. */
const PAGE_PATHS = new Set(['/authorize', '/login', '/consent', '/logout']);

export function buildApp() {
  const app = new Hono<{ Bindings: Env }>();

  // Browser-based clients may call these; the login page never gets CORS.
  const publicCors = cors({ origin: '*', allowMethods: ['GET', 'POST'], maxAge: 86_400 });
  app.use('/oauth/token', publicCors);
  app.use('/oauth/revoke', publicCors);
  app.use('/userinfo', publicCors);
  app.use('/.well-known/*', publicCors);

  app.get('/authorize', authorize);
  app.get('/login', showLogin);
  app.post('/login', submitLogin);
  app.get('/consent', showConsent);
  app.post('/consent', submitConsent);
  app.post('/oauth/token', token);
  app.post('/oauth/revoke', revoke);
  app.post('/oauth/introspect', introspect);
  app.on(['GET', 'POST'], '/userinfo', userinfo);
  app.on(['GET', 'POST'], '/logout', logout);
  app.route('/api/v1', managementApi);
  app.get('/.well-known/oauth-authorization-server', oauthMetadata);
  app.get('/.well-known/openid-configuration', openidConfiguration);
  app.get('/.well-known/jwks.json', jwks);

  app.notFound((c) => c.json({ error: 'not_found', error_description: 'No such endpoint.' }, 404, NO_STORE));

  app.onError((error, c) => {
    if (error instanceof OAuthError) {
      if (error.detail) console.warn(JSON.stringify({ event: 'oauth_error', error: error.code, detail: error.detail }));
      return oauthErrorResponse(c, error);
    }
    if (error instanceof PageError) return renderErrorPage(c, error.title, error.description, error.status);
    if (error instanceof ApiError) return error.toResponse(c);
    // Only the class and message: our own errors never put secrets in messages, and a stack helps no client.
    const kind = error instanceof ConfigError ? 'config_error' : 'unhandled_error';
    console.error(JSON.stringify({ event: kind, name: error.name, message: error.message, path: c.req.path }));
    if (PAGE_PATHS.has(c.req.path)) {
      return renderErrorPage(c, 'Something went wrong', 'The server could not complete the sign-in.', 500);
    }
    return serverErrorResponse(c);
  });

  return app;
}
