import type { Context, MiddlewareHandler } from 'hono';
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
export function requireAccessToken<E extends { Variables: AccessTokenVariables } = { Variables: AccessTokenVariables }>(
  resource: ProtectedResource,
  options: { scopes?: readonly string[] } = {},
): MiddlewareHandler<E> {
  const scopes = options.scopes ?? [];
  return async (c, next) => {
    try {
      // Whatever else the app's environment holds, it declares this variable.
      (c as unknown as Context<{ Variables: AccessTokenVariables }>).set('accessToken', await resource.authenticate(c.req.raw, scopes));
    } catch (error) {
      if (error instanceof ResourceError) return resource.refuse(error, scopes);
      throw error;
    }
    await next();
  };
}
