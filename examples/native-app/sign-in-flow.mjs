import { calculateJwkThumbprint, createRemoteJWKSet, decodeProtectedHeader, exportJWK, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { SignInError, step } from './errors.mjs';
import { listenForRedirect } from './loopback-redirect.mjs';
import { openInSystemBrowser } from './system-browser.mjs';
import { notEdgeAuthHint, unreachableHint } from './where-edge-auth-runs.mjs';

/** What the app asks for: an ID token, the user's profile and email, a refresh token, and the API. */
export const SCOPE = 'openid profile email offline_access read:items';
/** The API the access token is for (the `audience` parameter; the token's `aud`). */
export const AUDIENCE = 'https://api.example.com';
/** Every request to the server is bounded, so a silent host fails the run instead of hanging it. */
const HTTP_TIMEOUT_MS = 10_000;
/** Authorization errors that mean the client's registration does not allow this request. */
const REGISTRATION_ERRORS = new Set(['invalid_request', 'unauthorized_client', 'invalid_scope', 'invalid_target']);

/**
 * @typedef {object} SignInOptions
 * @property {URL} issuer
 * @property {string} clientId  a public client: no secret, PKCE instead (RFC 8252 section 8.4)
 * @property {number} timeoutMs  how long to wait for the browser to come back
 * @property {boolean} openBrowser
 * @property {boolean} [dpop]  bind the tokens to a key that cannot leave this process (RFC 9449)
 * @property {boolean} [deleteAccount]  after signing in, delete the account as an app's settings screen does
 * @property {(line: string) => void} log  progress, for people
 */

/**
 * @typedef {object} ProofKey  the app's DPoP key: as a Secure Enclave or Android Keystore key, its private half cannot be exported
 * @property {oauth.DPoPHandle} handle  signs the proofs and keeps the server's latest nonce
 * @property {string} jkt  its RFC 7638 thumbprint: `dpop_jkt` at /authorize, `cnf.jkt` in the access token
 */

/**
 * @typedef {object} VerifiedJwt
 * @property {string} token
 * @property {import('jose').ProtectedHeaderParameters} header
 * @property {Record<string, unknown>} claims
 */

/**
 * @typedef {object} SignInResult
 * @property {string} issuer
 * @property {string} clientId
 * @property {string} redirectUri
 * @property {string | undefined} scope  what the server granted
 * @property {VerifiedJwt} idToken
 * @property {VerifiedJwt & { expiresIn: number | undefined }} accessToken
 * @property {string | undefined} refreshToken
 * @property {Record<string, unknown>} userinfo
 * @property {Refreshed | undefined} refresh  absent when the server issued no refresh token
 * @property {string | undefined} dpopJkt  the thumbprint of the key the tokens are bound to, with --dpop
 * @property {boolean} accountDeleted  with --delete-account: DELETE /account answered 204 and the refresh token is now refused
 */

/**
 * @typedef {object} Refreshed
 * @property {VerifiedJwt & { expiresIn: number | undefined }} accessToken
 * @property {VerifiedJwt | undefined} idToken
 * @property {string} refreshToken  the one to keep: the new one, or the old one if none was issued
 * @property {boolean} rotated  a new refresh token was issued and it differs from the one presented
 */

/**
 * The whole sign-in of a native app, step by step: what an iOS or Android app does with AppAuth,
 * here with oauth4webapi, and then what the app's API does with the access token.
 * @param {SignInOptions} options
 * @returns {Promise<SignInResult>}
 */
export async function signIn({ issuer, clientId, timeoutMs, openBrowser, dpop = false, deleteAccount = false, log }) {
  /** @type {oauth.Client} */
  const client = { client_id: clientId };
  const proofKey = dpop ? await newProofKey(client) : undefined;
  const http = { ...httpOptions(issuer), ...(proofKey && { DPoP: proofKey.handle }) };

  const as = await discover(issuer, http);
  log(`Discovered ${as.issuer} through its /.well-known/openid-configuration`);
  if (proofKey) log(`DPoP key made (ES256, not extractable), thumbprint ${proofKey.jkt}: sent as dpop_jkt, every token request carries a proof`);

  const { pending, callback } = await authorize(as, client, { timeoutMs, openBrowser, log, dpopJkt: proofKey?.jkt, deleteAccount });

  // RFC 9207: the response must name the issuer we sent the user to (metadata says it always does),
  // and RFC 6749 section 10.12: carry the state we generated. The library checks both.
  const callbackParams = await step('authorization_response', () => oauth.validateAuthResponse(as, client, callback, pending.state), {
    refused: (error) => (REGISTRATION_ERRORS.has(error) ? registrationHint(clientId) : undefined),
  });
  log(`Authorization response checked: state matches, iss is ${as.issuer} (RFC 9207)`);

  const tokens = await step('code_exchange', () =>
    withNonceRetry(
      () => oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callbackParams, pending.redirectUri, pending.codeVerifier, http),
      async (response) => {
        // Checks the ID token's iss, aud, azp, exp, iat and our nonce (OIDC Core 3.1.3.7).
        const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
        // oauth4webapi leaves the ID token's signature to TLS by default; this checks it against the JWKS too.
        await oauth.validateApplicationLevelSignature(as, response, http);
        return result;
      },
    ),
  );
  const idToken = validatedIdToken(tokens);
  log('Code exchanged with the PKCE verifier; ID token validated (claims, nonce, signature)');

  // From here on, the API's side: it verifies the access token against our published keys (RFC 9068).
  // The app itself treats the access token as opaque and only sends it.
  const jwks = createRemoteJWKSet(new URL(/** @type {string} */ (as.jwks_uri)), { timeoutDuration: HTTP_TIMEOUT_MS });
  const accessToken = await step('access_token', () => verifyAccessToken(as, jwks, tokens, proofKey?.jkt));
  log(`Access token verified with jose against ${as.jwks_uri}: typ at+jwt, iss, aud ${AUDIENCE}${proofKey ? ', cnf.jkt is our key' : ''}`);

  const userinfo = await step('userinfo', () =>
    withNonceRetry(
      // With DPoP: `Authorization: DPoP <token>` and a proof carrying the token's hash (ath).
      () => oauth.userInfoRequest(as, client, tokens.access_token, http),
      // The `sub` must be the ID token's (OIDC Core 5.3.4).
      (response) => oauth.processUserInfoResponse(as, client, String(idToken.claims.sub), response),
    ),
  );
  log(`Userinfo read from ${as.userinfo_endpoint}`);

  /** @type {Refreshed | undefined} */
  let refresh;
  if (tokens.refresh_token) {
    refresh = await refreshOnce(as, client, jwks, tokens.refresh_token, idToken, http, proofKey?.jkt);
    log(`Refreshed: ${refresh.rotated ? 'a new refresh token replaced the old one (rotation)' : 'the refresh token did not change'}`);
  } else {
    log('No refresh token was issued (the client needs the refresh_token grant and offline_access): refresh skipped');
  }

  const accountDeleted = deleteAccount && (await deleteTheAccount(as, client, refresh?.accessToken.token ?? tokens.access_token, refresh?.refreshToken ?? tokens.refresh_token, http, log));

  return {
    accountDeleted,
    issuer: as.issuer,
    clientId,
    redirectUri: pending.redirectUri,
    scope: tokens.scope,
    idToken,
    accessToken,
    refreshToken: tokens.refresh_token,
    userinfo,
    refresh,
    dpopJkt: proofKey?.jkt,
  };
}

/**
 * A key pair made as a phone makes one in its Secure Enclave or Keystore: the private key is not
 * extractable, so the tokens bound to it are useless anywhere else.
 * @param {oauth.Client} client
 * @returns {Promise<ProofKey>}
 */
async function newProofKey(client) {
  const keyPair = await oauth.generateKeyPair('ES256', { extractable: false });
  return { handle: oauth.DPoP(client, keyPair), jkt: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)) };
}

/**
 * edge-auth asks for a DPoP nonce (RFC 9449 section 8): the first request answers `use_dpop_nonce`,
 * the handle keeps the nonce from that answer, and the request is sent once more. Without DPoP this
 * sends once.
 * @template T
 * @param {() => Promise<Response>} send
 * @param {(response: Response) => Promise<T>} process
 * @returns {Promise<T>}
 */
/**
 * "Delete account" in the app's settings (App Store Review Guideline 5.1.1(v)): DELETE /account with
 * an access token that has the delete:account scope, right after a fresh sign-in (max_age=0).
 * Then the app forgets its tokens; here the refresh token is tried once more to show it is dead.
 * @param {oauth.AuthorizationServer} as
 * @param {oauth.Client} client
 * @param {string} accessToken
 * @param {string | undefined} refreshToken
 * @param {Record<string, unknown>} http
 * @param {(line: string) => void} log
 */
async function deleteTheAccount(as, client, accessToken, refreshToken, http, log) {
  const url = new URL('/account', as.issuer);
  const response = await step('delete_account', () =>
    withNonceRetry(
      () => oauth.protectedResourceRequest(accessToken, 'DELETE', url, new Headers(), null, http),
      async (answer) => {
        if (answer.status !== 204) throw new Error(`DELETE /account answered ${answer.status}: ${await answer.text()}`);
        return answer;
      },
    ),
  );
  log(`Account deleted: DELETE ${url.href} answered ${response.status}`);
  if (refreshToken) {
    const refused = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, http);
    if (refused.status !== 400) throw new Error(`the refresh token still worked after the deletion (status ${refused.status})`);
    log('The refresh token is now refused (invalid_grant): the app forgets its tokens and shows its signed-out state');
  }
  return true;
}

async function withNonceRetry(send, process) {
  try {
    return await process(await send());
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    return process(await send());
  }
}

/**
 * http only for the loopback dev server (the command line refuses it elsewhere), and a time limit on every request.
 * @param {URL} issuer
 */
function httpOptions(issuer) {
  return {
    [oauth.allowInsecureRequests]: issuer.protocol === 'http:',
    signal: () => AbortSignal.timeout(HTTP_TIMEOUT_MS),
  };
}

/**
 * OIDC Discovery 1.0 section 4: `<issuer>/.well-known/openid-configuration`, whose `issuer` must be ours.
 * @param {URL} issuer
 * @param {ReturnType<typeof httpOptions>} http
 */
async function discover(issuer, http) {
  const as = await step(
    'discovery',
    async () => oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...http })),
    { unreachable: unreachableHint(issuer), refused: () => notEdgeAuthHint(issuer), otherwise: notEdgeAuthHint(issuer) },
  );
  const missing = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint'].filter((name) => !as[name]);
  if (missing.length > 0) {
    throw new SignInError('discovery', 'OAUTH_MISSING_SERVER_METADATA', `discovery failed: the metadata has no ${missing.join(', ')}`);
  }
  return as;
}

/**
 * @typedef {object} PendingAuthorization
 * @property {URL} url
 * @property {string} redirectUri
 * @property {string} state
 * @property {string} nonce
 * @property {string} codeVerifier
 */

/**
 * The front channel: a fresh loopback listener, the authorization URL in the system browser, and the
 * redirect back (RFC 8252 sections 6 and 7.3).
 * @param {oauth.AuthorizationServer} as
 * @param {oauth.Client} client
 * @param {Pick<SignInOptions, 'timeoutMs' | 'openBrowser' | 'log'> & { dpopJkt: string | undefined }} options
 * @returns {Promise<{ pending: PendingAuthorization, callback: URL }>}
 */
async function authorize(as, client, { timeoutMs, openBrowser, log, dpopJkt, deleteAccount }) {
  const redirect = await step('redirect', () => listenForRedirect());
  try {
    const pending = await authorizationRequest(as, client, redirect.redirectUri, dpopJkt, deleteAccount);
    log(`Listening for the redirect on ${pending.redirectUri}`);
    if (new URL(as.issuer).protocol === 'http:') log('The dev seed signs in as demo@example.com / demo-password.');
    log(`Open this URL: ${pending.url.href}`);
    if (openBrowser) {
      const failure = await openInSystemBrowser(pending.url.href);
      log(failure ? `Could not start the browser (${failure.message}); open the URL yourself.` : 'Opened the system browser.');
    }
    log(`Waiting up to ${timeoutMs / 1000} s for the browser to come back (Ctrl-C to give up)...`);
    const callback = await redirect.receive(timeoutMs);
    return { pending, callback };
  } finally {
    await redirect.close();
  }
}

/**
 * RFC 6749 section 4.1.1 with PKCE S256 (RFC 7636), `state` against CSRF, `nonce` for the ID token,
 * and `audience` naming the API. The random values come from the library. With DPoP, `dpop_jkt`
 * binds the code to the app's key (RFC 9449 section 10).
 * @param {oauth.AuthorizationServer} as
 * @param {oauth.Client} client
 * @param {string} redirectUri
 * @param {string | undefined} dpopJkt
 * @param {boolean} [deleteAccount]  ask for delete:account and a fresh sign-in (max_age=0)
 * @returns {Promise<PendingAuthorization>}
 */
async function authorizationRequest(as, client, redirectUri, dpopJkt, deleteAccount = false) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(/** @type {string} */ (as.authorization_endpoint));
  url.search = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: redirectUri,
    // Deleting asks for the scope and a fresh sign-in: edge-auth refuses a sign-in older than 10 minutes.
    scope: deleteAccount ? `${SCOPE} delete:account` : SCOPE,
    ...(deleteAccount && { max_age: '0' }),
    audience: AUDIENCE,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(dpopJkt && { dpop_jkt: dpopJkt }),
  }).toString();
  return { url, redirectUri, state, nonce, codeVerifier };
}

/**
 * @param {oauth.TokenEndpointResponse} tokens  already validated by processAuthorizationCodeResponse or processRefreshTokenResponse
 * @returns {VerifiedJwt}
 */
function validatedIdToken(tokens) {
  const token = /** @type {string} */ (tokens.id_token);
  return { token, header: decodeProtectedHeader(token), claims: { ...oauth.getValidatedIdTokenClaims(tokens) } };
}

/**
 * What the API does (RFC 9068 section 4): signature against the JWKS, `typ` at+jwt, our issuer, its own audience, expiry;
 * with DPoP, the token is bound to the app's key (`cnf.jkt`, RFC 9449 section 6.1).
 * @param {oauth.AuthorizationServer} as
 * @param {ReturnType<typeof createRemoteJWKSet>} jwks
 * @param {oauth.TokenEndpointResponse} tokens
 * @param {string | undefined} jkt
 */
async function verifyAccessToken(as, jwks, tokens, jkt) {
  const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer: as.issuer, audience: AUDIENCE, typ: 'at+jwt' });
  const cnf = /** @type {{ jkt?: unknown } | undefined} */ (payload.cnf);
  if (jkt !== undefined && (tokens.token_type !== 'dpop' || cnf?.jkt !== jkt)) {
    throw new SignInError('access_token', 'DPOP_NOT_BOUND', 'the access token is not bound to our DPoP key (token_type or cnf.jkt)');
  }
  return { token: tokens.access_token, header: protectedHeader, claims: { ...payload }, expiresIn: tokens.expires_in };
}

/**
 * RFC 6749 section 6. edge-auth rotates refresh tokens: the app must keep the new one and drop the
 * old, which is now retired (presenting it again revokes the whole grant, RFC 9700 section 4.14.2).
 * @param {oauth.AuthorizationServer} as
 * @param {oauth.Client} client
 * @param {ReturnType<typeof createRemoteJWKSet>} jwks
 * @param {string} refreshToken
 * @param {VerifiedJwt} idToken  from the sign-in, which a refreshed ID token must match
 * @param {ReturnType<typeof httpOptions> & { DPoP?: oauth.DPoPHandle }} http
 * @param {string | undefined} jkt  with DPoP: the refresh needs a proof by the key the family is bound to
 * @returns {Promise<Refreshed>}
 */
async function refreshOnce(as, client, jwks, refreshToken, idToken, http, jkt) {
  const tokens = await step('refresh', () =>
    withNonceRetry(
      () => oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, http),
      async (response) => {
        const result = await oauth.processRefreshTokenResponse(as, client, response);
        if (result.id_token) await oauth.validateApplicationLevelSignature(as, response, http);
        return result;
      },
    ),
  );
  const refreshedIdToken = tokens.id_token ? validatedIdToken(tokens) : undefined;
  // OIDC Core 12.2: a refreshed ID token is about the same user as the first one.
  if (refreshedIdToken && refreshedIdToken.claims.sub !== idToken.claims.sub) {
    throw new SignInError('refresh', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', `refresh failed: the new ID token is about ${refreshedIdToken.claims.sub}, not ${idToken.claims.sub}`);
  }
  const accessToken = await step('refresh', () => verifyAccessToken(as, jwks, tokens, jkt));
  return {
    accessToken,
    idToken: refreshedIdToken,
    refreshToken: tokens.refresh_token ?? refreshToken,
    rotated: tokens.refresh_token !== undefined && tokens.refresh_token !== refreshToken,
  };
}

/** @param {string} clientId */
function registrationHint(clientId) {
  return (
    `Check the registration of ${clientId} (\`npm run admin -- clients get ${clientId}\`): it must allow the redirect URI ` +
    `http://127.0.0.1/callback, the grants authorization_code and refresh_token, the scopes "${SCOPE}" and the audience ${AUDIENCE}.`
  );
}
