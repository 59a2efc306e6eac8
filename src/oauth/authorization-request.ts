import { invalidRequest, OAuthError } from '../errors/oauth-error';
import { optionalParam, requiredParam } from './params';
import { isS256Challenge } from './pkce';
import { findTarget, invalidTarget, requestedTarget, type RequestedTarget } from './resource-indicator';
import type { ApiPolicy, ClientPolicy } from './policy';
import { parsePrompt, type Prompt } from './prompt';
import { grantScopes, parseScope } from './scope';

/** A validated authorization request (RFC 6749 section 4.1.1, RFC 7636 section 4.3). */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  scopes: string[];
  audience: string;
  /** Undefined only for confidential clients that chose not to use PKCE. */
  codeChallenge: string | undefined;
  nonce: string | undefined;
  /** RFC 9449 section 10: the code may be redeemed only with a DPoP proof by this key (its RFC 7638 thumbprint). */
  dpopJkt?: string | undefined;
}

/** A SHA-256 JWK thumbprint: 43 base64url characters. */
const JKT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Request objects (OIDC Core 6.1, 6.2) are not supported, and discovery says so: a request that
 * sends one is answered with the matching error instead of being served without it, since the
 * parameters that count may be inside it. Redirected: client and redirect URI are trusted by then
 * (OIDC Core 6.3.1 requires both outside the object anyway). A request_uri from POST /par never
 * gets here: /authorize replaces the request with the pushed one first, and /par refuses one.
 */
function refuseRequestObjects(params: Map<string, string>): void {
  if (params.has('request')) throw new OAuthError('request_not_supported', 'Request objects (the request parameter) are not supported.');
  if (params.has('request_uri')) {
    throw new OAuthError('request_uri_not_supported', 'Only a request_uri from the pushed authorization request endpoint is supported.');
  }
}

/**
 * The API asked for by `resource` or `audience` (RFC 8707), or the client's only API when it has
 * exactly one. Request objects are refused first: the target could be inside one.
 */
export function requestedAudience(params: Map<string, string>, client: ClientPolicy): RequestedTarget {
  refuseRequestObjects(params);
  const target = requestedTarget(params);
  if (target !== undefined) return target;
  if (client.audiences.length === 1 && client.audiences[0] !== undefined) return { value: client.audiences[0], via: 'audience' };
  throw invalidRequest('The audience or resource parameter is required for this client.');
}

/**
 * Validates everything after client and redirect URI, which the caller has already trusted; the
 * errors thrown here are redirected back to the client (RFC 6749 section 4.1.2.1).
 * `api` is the API named by `requestedAudience`, or undefined when no such API exists; the request
 * carries its identifier, which becomes the tokens' `aud`.
 */
export function parseAuthorizationRequest(
  params: Map<string, string>,
  client: ClientPolicy,
  redirectUri: string,
  target: RequestedTarget,
  api: ApiPolicy | undefined,
): AuthorizationRequest {
  refuseRequestObjects(params);
  const responseType = requiredParam(params, 'response_type');
  if (responseType !== 'code') {
    throw new OAuthError('unsupported_response_type', 'Only response_type=code is supported.');
  }
  if (!client.grantTypes.includes('authorization_code')) {
    throw new OAuthError('unauthorized_client', 'This client may not use the authorization code grant.');
  }
  const responseMode = optionalParam(params, 'response_mode');
  if (responseMode !== undefined && responseMode !== 'query') {
    throw invalidRequest('Only response_mode=query is supported.');
  }

  const codeChallenge = optionalParam(params, 'code_challenge');
  const method = optionalParam(params, 'code_challenge_method');
  if (codeChallenge === undefined) {
    // RFC 9700 section 2.1.1: PKCE is required of public clients.
    if (client.type === 'public') throw invalidRequest('code_challenge is required (PKCE with S256).');
    if (method !== undefined) throw invalidRequest('code_challenge_method was sent without code_challenge.');
  } else {
    // An absent method means `plain` (RFC 7636 section 4.3), which is refused like an explicit one.
    if (method !== 'S256') throw invalidRequest('code_challenge_method must be S256.');
    if (!isS256Challenge(codeChallenge)) throw invalidRequest('code_challenge must be 43 base64url characters.');
  }

  if (!api || !client.audiences.includes(api.identifier)) {
    if (target.via === 'resource') throw invalidTarget('The resource is not an API this client may use.');
    throw invalidRequest('The audience is not an API this client may use.');
  }
  const scopes = grantScopes(parseScope(optionalParam(params, 'scope')), api.scopes, client.scopes);
  const dpopJkt = optionalParam(params, 'dpop_jkt');
  if (dpopJkt !== undefined && !JKT.test(dpopJkt)) throw invalidRequest('dpop_jkt must be a SHA-256 JWK thumbprint (43 base64url characters).');

  return {
    clientId: client.id,
    redirectUri,
    state: optionalParam(params, 'state'),
    scopes,
    audience: api.identifier,
    codeChallenge,
    nonce: optionalParam(params, 'nonce'),
    dpopJkt,
  };
}

/**
 * Everything /authorize checks after client and redirect URI, and POST /par before it stores a
 * request (RFC 9126 section 2.1: "the same validation"): the request and how the user is to be
 * involved. `apis` are all the APIs; the one the request names is looked up here.
 */
export function validateAuthorizationRequest(
  params: Map<string, string>,
  client: ClientPolicy,
  redirectUri: string,
  apis: readonly ApiPolicy[],
): { request: AuthorizationRequest; prompt: Prompt } {
  const target = requestedAudience(params, client);
  const identifier = findTarget(apis.map((api) => api.identifier), target);
  const api = apis.find((candidate) => candidate.identifier === identifier);
  const request = parseAuthorizationRequest(params, client, redirectUri, target, api);
  return { request, prompt: parsePrompt(params) };
}
