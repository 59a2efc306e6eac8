import type { MiddlewareHandler } from 'hono';
import { ResourceError } from './challenge';
import type { AccessToken, ProtectedResource } from './protected-resource';

/** The Hono variables the middleware sets: `c.var.accessToken`. */
export interface AccessTokenVariables {
  accessToken: AccessToken;
}

/** Serves the RFC 9728 metadata at its well-known URLs; other requests go on. */
export function protectedResourceMetadata(resource: ProtectedResource): MiddlewareHandler {
  return async (c, next) => {
    const metadata = resource.serveMetadata(c.req.raw);
    if (metadata) return metadata;
    await next();
  };
}

/**
 * Lets a request through only with a valid access token for this resource holding every scope in
 * `scopes`; otherwise answers 401/403 with the challenges MCP clients expect. The token is `c.var.accessToken`.
 */
export function requireAccessToken(resource: ProtectedResource, options: { scopes?: readonly string[] } = {}): MiddlewareHandler<{ Variables: AccessTokenVariables }> {
  const scopes = options.scopes ?? [];
  return async (c, next) => {
    try {
      c.set('accessToken', await resource.authenticate(c.req.raw, scopes));
    } catch (error) {
      if (error instanceof ResourceError) return resource.refuse(error, scopes);
      throw error;
    }
    await next();
  };
}
