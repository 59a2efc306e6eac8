import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { NO_STORE } from './errors/no-store';
import { requestContext, type AppEnv } from './http/context';
import { renderErrors } from './http/error-handler';
import { loadCatalogues } from './interaction/static-data';
import { managementApi } from './management';
import { authorize } from './routes/authorize';
import { showConsent, submitConsent } from './routes/consent';
import { jwks, oauthMetadata, openidConfiguration } from './routes/discovery';
import { favicon } from './routes/favicon';
import { staticFile } from './routes/static-file';
import { introspect } from './routes/introspection';
import { showLogin, submitLogin } from './routes/login';
import { showSecondFactor, submitEnrolment, submitSecondFactor } from './routes/second-factor';
import { showTwoStepEnrolment, submitAccountSecondFactor, submitTwoStepEnrolment, submitTwoStepRemoval } from './routes/account-two-step';
import { submitContinue } from './routes/continue-session';
import { logout } from './routes/logout';
import { startFederation, submitFederationLink } from './routes/federation';
import { completeFederation, receivePostedResponse } from './routes/federation-callback';
import { appleAppSiteAssociation, assetLinks } from './routes/app-associations';
import { passkeyChallenge, passkeySignIn } from './routes/passkey-api';
import { submitPasskeyLogin } from './routes/passkey-login';
import { submitPasskeyEnrolment, submitPasskeyRemoval, submitPasskeyRename } from './routes/account-passkeys';
import { pushAuthorizationRequest } from './routes/pushed-authorization';
import { deleteRegistration, readRegistration, registerClient } from './routes/registration';
import { showForgotPassword, showResetPassword, submitForgotPassword, submitResetPassword } from './routes/password-reset';
import { revoke } from './routes/revocation';
import { showSignup, showSignupConfirm, submitSignup, submitSignupConfirm } from './routes/signup';
import { token } from './routes/token';
import { userinfo } from './routes/userinfo';
import { showAccount, submitAccountLanguage, submitAccountSignIn, submitAccountSignOut, submitAccountVerificationMail, submitSignOutEverywhere } from './routes/account';
import { submitUnlinkIdentity } from './routes/account-identities';
import { deleteAccountByToken, downloadAccountData, submitAccountDeletion } from './routes/account-deletion';
import { showEmailChangeConfirm, submitEmailChange, submitEmailChangeConfirm, submitPasswordChange } from './routes/account-changes';
import { showVerifyEmail, showVerifyPending, submitVerifyContinue, submitVerifyEmail, submitVerifyResend } from './routes/verify-email';

/** X-Content-Type-Options on every response, JSON and redirects included, not only on pages. */
const noSniff = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
});

/** Pages (and the Management API's mails) speak the person's language: its words are read before they render. */
const withCatalogues = createMiddleware<AppEnv>(async (c, next) => {
  await loadCatalogues(c.env);
  await next();
});

/** What a person sees in a browser: errors are pages (or, once /authorize trusts the client, redirects to it). */
const browserPages = new Hono<AppEnv>()
  .get('/authorize', authorize)
  .get('/login', showLogin)
  .post('/login', submitLogin)
  .post('/login/continue', submitContinue)
  .get('/login/second-factor', showSecondFactor)
  .post('/login/second-factor', submitSecondFactor)
  .post('/login/second-factor/enrol', submitEnrolment)
  .get('/login/federated/callback', completeFederation)
  .post('/login/federated/callback', receivePostedResponse)
  .post('/login/federated/link', submitFederationLink)
  .get('/login/federated/:name', startFederation)
  .post('/login/passkey', submitPasskeyLogin)
  .get('/consent', showConsent)
  .post('/consent', submitConsent)
  .on(['GET', 'POST'], '/logout', logout)
  .get('/signup', showSignup)
  .post('/signup', submitSignup)
  .get('/signup/confirm', showSignupConfirm)
  .post('/signup/confirm', submitSignupConfirm)
  .get('/forgot', showForgotPassword)
  .post('/forgot', submitForgotPassword)
  .get('/reset', showResetPassword)
  .post('/reset', submitResetPassword)
  .get('/verify-email', showVerifyEmail)
  .post('/verify-email', submitVerifyEmail)
  .get('/account', showAccount)
  .post('/account/delete', submitAccountDeletion)
  .get('/account/export', downloadAccountData)
  .post('/account/sign-in', submitAccountSignIn)
  .post('/account/second-factor', submitAccountSecondFactor)
  .get('/account/two-step', showTwoStepEnrolment)
  .post('/account/two-step', submitTwoStepEnrolment)
  .post('/account/two-step/remove', submitTwoStepRemoval)
  .post('/account/sign-out', submitAccountSignOut)
  .post('/account/language', submitAccountLanguage)
  .post('/account/sign-out-everywhere', submitSignOutEverywhere)
  .post('/account/verification-mail', submitAccountVerificationMail)
  .post('/account/password', submitPasswordChange)
  .post('/account/identities/unlink', submitUnlinkIdentity)
  .post('/account/passkeys', submitPasskeyEnrolment)
  .post('/account/passkeys/rename', submitPasskeyRename)
  .post('/account/passkeys/remove', submitPasskeyRemoval)
  .post('/account/email', submitEmailChange)
  .get('/account/email/confirm', showEmailChangeConfirm)
  .post('/account/email/confirm', submitEmailChangeConfirm)
  .get('/verify-email/pending', showVerifyPending)
  .post('/verify-email/resend', submitVerifyResend)
  .post('/verify-email/continue', submitVerifyContinue)
  .onError(renderErrors('page'));

/** What apps and APIs call: errors are JSON in the RFCs' shape. */
const protocolEndpoints = new Hono<AppEnv>()
  .post('/oauth/token', token)
  .post('/par', pushAuthorizationRequest)
  .post('/register', registerClient)
  .get('/register/:client_id', readRegistration)
  .delete('/register/:client_id', deleteRegistration)
  .post('/oauth/revoke', revoke)
  .post('/oauth/introspect', introspect)
  .post('/passkey/challenge', passkeyChallenge)
  .post('/passkey/sign-in', passkeySignIn)
  .on(['GET', 'POST'], '/userinfo', userinfo)
  .get('/.well-known/oauth-authorization-server', oauthMetadata)
  .get('/.well-known/openid-configuration', openidConfiguration)
  .get('/.well-known/jwks.json', jwks)
  .get('/.well-known/apple-app-site-association', appleAppSiteAssociation)
  .get('/.well-known/assetlinks.json', assetLinks)
  // The app's own call (a bearer token, JSON errors); the page of the same path is for people.
  .delete('/account', deleteAccountByToken)
  .onError(renderErrors('json'));

/** RFC 9110 section 15.5.6: a known endpoint asked with the wrong method says which ones it takes. */
const methodNotAllowed = (allow: string) => (c: Context) =>
  c.json({ error: 'invalid_request', error_description: `This endpoint accepts ${allow} only.` }, 405, { ...NO_STORE, Allow: allow });

/**
 * The worker's routes. `devPages` are added only by src/dev-worker.ts (`npm run dev`, the tests):
 * the deployed script (src/index.ts) does not contain them.
 */
export function buildApp(devPages?: Hono<AppEnv>) {
  const app = new Hono<AppEnv>();
  app.use(noSniff);
  app.use(requestContext);

  // Browser-based clients may call these; the login page never gets CORS.
  // A browser-based DPoP client reads the next nonce (RFC 9449 section 8) from DPoP-Nonce.
  const publicCors = cors({ origin: '*', allowMethods: ['GET', 'POST'], exposeHeaders: ['DPoP-Nonce', 'WWW-Authenticate'], maxAge: 86_400 });
  app.use('/oauth/token', publicCors);
  app.use('/par', publicCors);
  app.use('/oauth/revoke', publicCors);
  app.use('/userinfo', publicCors);
  app.use('/.well-known/*', publicCors);
  // Browser-based MCP clients register themselves, and read or delete their registration (RFC 7592).
  const registrationCors = cors({ origin: '*', allowMethods: ['GET', 'POST', 'DELETE'], allowHeaders: ['Authorization', 'Content-Type'], maxAge: 86_400 });
  app.use('/register', registrationCors);
  app.use('/register/*', registrationCors);

  // Only the pages: a token or discovery request never waits for the translations.
  for (const path of new Set(browserPages.routes.map((route) => route.path))) app.use(path, withCatalogues);
  app.use('/api/v1/*', withCatalogues);
  app.route('/', browserPages);
  app.route('/', protocolEndpoints);
  app.route('/api/v1', managementApi);
  if (devPages) app.route('/', devPages);
  app.get('/favicon.svg', favicon).get('/favicon.ico', favicon);
  app.get('/static/:name', staticFile);
  for (const path of ['/oauth/token', '/par', '/oauth/revoke', '/oauth/introspect', '/register', '/passkey/challenge', '/passkey/sign-in']) app.all(path, methodNotAllowed('POST'));
  app.all('/register/:client_id', methodNotAllowed('GET, DELETE'));

  app.notFound((c) => c.json({ error: 'not_found', error_description: 'No such endpoint.' }, 404, NO_STORE));
  // Errors outside the groups (middleware, configuration) answer as JSON.
  app.onError(renderErrors('json'));
  return app;
}
