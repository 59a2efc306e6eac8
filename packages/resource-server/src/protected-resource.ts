import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { errorResponse, ResourceError } from './challenge';
import { DPOP_ALGS, verifyProof } from './dpop';
import { metadataDocument, metadataPath, metadataResponse, WELL_KNOWN } from './metadata';

export interface ProtectedResourceOptions {
  /** edge-auth's issuer, e.g. `https://auth.example.com`: the `iss` of its tokens. */
  issuer: string;
  /**
   * This resource's identifier: the API identifier registered in edge-auth and the `aud` of the
   * tokens it accepts. For an MCP server, its URL, e.g. `https://mcp.example.com/mcp`.
   */
  resource: string;
  /** Advertised in the metadata (RFC 9728 `scopes_supported`). */
  scopesSupported?: readonly string[];
  /**
   * Added to the `scope` of every challenge, which MCP clients request as is: `['offline_access']`
   * gets them a refresh token (edge-auth issues one only for that scope).
   */
  extraChallengeScopes?: readonly string[];
  /** Advertised in the metadata (`resource_name`). */
  resourceName?: string;
  resourceDocumentation?: string;
  /** Skips discovery: edge-auth's JWKS URL (`<issuer>/.well-known/jwks.json`). */
  jwksUri?: string;
  /** Used for discovery and the JWKS: a service binding's `fetch`, or a test's. */
  fetch?: typeof fetch;
  /** Leeway for `exp`, `iat` and `nbf`, in seconds (default 5). */
  clockToleranceSeconds?: number;
}

/** A verified access token (RFC 9068). */
export interface AccessToken {
  token: string;
  /** The user, or the client itself for a client-credentials token. */
  subject: string;
  clientId: string;
  scopes: string[];
  /** The RFC 7638 thumbprint of the key a DPoP-bound token is bound to. */
  jkt: string | undefined;
  claims: JWTPayload;
}

export interface ProtectedResource {
  readonly resource: string;
  /** The path-suffixed metadata URL, sent as `resource_metadata` in every challenge. */
  readonly metadataUrl: string;
  /** The metadata response when the request is for one of the metadata URLs, else undefined. */
  serveMetadata(request: Request): Response | undefined;
  /** The request's access token, verified, with every scope in `scopes`; throws a ResourceError. */
  authenticate(request: Request, scopes?: readonly string[]): Promise<AccessToken>;
  /** A 401/403 with the challenges MCP clients expect. */
  refuse(error: ResourceError, scopes?: readonly string[]): Response;
}

/** edge-auth signs access tokens with these (per API). */
const TOKEN_ALGS = ['ES256', 'RS256'];
const AUTHORIZATION = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The JWKS, found through the issuer's RFC 8414 metadata on first use; a failed discovery is retried. */
function keySet(options: ProtectedResourceOptions): () => Promise<JWTVerifyGetKey> {
  const fetcher = options.fetch ?? fetch;
  let pending: Promise<JWTVerifyGetKey> | undefined;
  const discover = async (): Promise<JWTVerifyGetKey> => {
    let jwksUri = options.jwksUri;
    if (jwksUri === undefined) {
      const response = await fetcher(`${options.issuer}/.well-known/oauth-authorization-server`, { headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error(`edge-auth discovery answered ${response.status}`);
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // RFC 8414 section 3.3: the metadata must be the issuer's own.
      if (metadata.issuer !== options.issuer || typeof metadata.jwks_uri !== 'string') throw new Error('edge-auth discovery names another issuer or no jwks_uri');
      jwksUri = metadata.jwks_uri;
    }
    return createRemoteJWKSet(new URL(jwksUri), options.fetch ? { [customFetch]: options.fetch } : {});
  };
  return () => {
    pending ??= discover().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

function readAuthorization(request: Request): { scheme: 'bearer' | 'dpop'; token: string } {
  const header = request.headers.get('Authorization');
  if (header === null) throw new ResourceError(undefined, 'An access token is required.');
  const match = AUTHORIZATION.exec(header);
  if (!match) throw new ResourceError('invalid_token', 'The Authorization header must be Bearer or DPoP with an access token.');
  return { scheme: match[1]!.toLowerCase() as 'bearer' | 'dpop', token: match[2]! };
}

/** The token's audience is this resource: the same string, or the same URL (`https://a.example` and `https://a.example/`). */
function isForResource(aud: JWTPayload['aud'], resource: string): boolean {
  const href = new URL(resource).href;
  return (Array.isArray(aud) ? aud : [aud]).some((value) => value === resource || (typeof value === 'string' && URL.canParse(value) && new URL(value).href === href));
}

async function verifyToken(token: string, keys: JWTVerifyGetKey, options: ProtectedResourceOptions): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      // RFC 9068 section 4: the type tells an access token from an ID token signed by the same keys.
      typ: 'at+jwt',
      algorithms: TOKEN_ALGS,
      clockTolerance: options.clockToleranceSeconds ?? 5,
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub', 'client_id', 'jti'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new ResourceError('invalid_token', 'The access token has expired.');
    if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) {
      throw new ResourceError('invalid_token', 'The access token is invalid or not for this resource.');
    }
    throw error;
  }
  if (!isForResource(payload.aud, options.resource)) throw new ResourceError('invalid_token', 'The access token is invalid or not for this resource.');
  return payload;
}

/** A protected resource of edge-auth: verification, metadata and refusals, configured once. */
export function protectedResource(options: ProtectedResourceOptions): ProtectedResource {
  if (!URL.canParse(options.resource) || options.resource.includes('#')) throw new TypeError('resource must be an absolute URI without a fragment');
  if (!URL.canParse(options.issuer)) throw new TypeError('issuer must be a URL');
  const keys = keySet(options);
  const path = metadataPath(options.resource);
  const metadataUrl = `${new URL(options.resource).origin}${path}`;
  const document = metadataDocument({ ...options, scopesSupported: options.scopesSupported });

  return {
    resource: options.resource,
    metadataUrl,
    serveMetadata(request) {
      const { pathname } = new URL(request.url);
      return pathname === path || pathname === WELL_KNOWN ? metadataResponse(document, request.method) : undefined;
    },
    async authenticate(request, scopes = []) {
      const { scheme, token } = readAuthorization(request);
      const claims = await verifyToken(token, await keys(), options);
      const jkt = (claims.cnf as { jkt?: unknown } | undefined)?.jkt;
      if (typeof jkt === 'string') {
        // RFC 9449 section 7.1: a bound token is presented with the DPoP scheme and a proof by its key.
        if (scheme !== 'dpop') throw new ResourceError('invalid_token', 'This access token is DPoP-bound: send it with the DPoP scheme.');
        await verifyProof(request.headers.get('DPoP'), { method: request.method, url: request.url, accessToken: token, jkt, now: Date.now() });
      } else if (scheme === 'dpop') {
        throw new ResourceError('invalid_token', 'This access token is not DPoP-bound: send it with the Bearer scheme.');
      }
      const granted = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
      const missing = scopes.filter((scope) => !granted.includes(scope));
      if (missing.length > 0) throw new ResourceError('insufficient_scope', `This request needs the scope ${missing.join(' ')}.`);
      return { token, subject: claims.sub!, clientId: String(claims.client_id), scopes: granted, jkt: typeof jkt === 'string' ? jkt : undefined, claims };
    },
    refuse(error, scopes = []) {
      const needed = scopes.length > 0 ? scopes : (options.scopesSupported ?? []);
      return errorResponse(error, { resourceMetadataUrl: metadataUrl, scopes: [...new Set([...needed, ...(options.extraChallengeScopes ?? [])])], dpopAlgs: DPOP_ALGS });
    },
  };
}
