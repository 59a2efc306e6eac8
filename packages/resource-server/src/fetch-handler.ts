import { ResourceError } from './challenge';
import type { AccessToken, ProtectedResource } from './protected-resource';

export type AuthenticatedHandler<E, C> = (request: Request, env: E, ctx: C, token: AccessToken) => Response | Promise<Response>;

/**
 * A Worker's `fetch` without a framework: the metadata URLs are served, every other request needs
 * a valid access token with `scopes`, and the handler gets it as its fourth argument.
 */
export function withAccessToken<E = unknown, C = unknown>(
  resource: ProtectedResource,
  handler: AuthenticatedHandler<E, C>,
  options: { scopes?: readonly string[] } = {},
): (request: Request, env: E, ctx: C) => Promise<Response> {
  const scopes = options.scopes ?? [];
  return async (request, env, ctx) => {
    const metadata = resource.serveMetadata(request);
    if (metadata) return metadata;
    let token: AccessToken;
    try {
      token = await resource.authenticate(request, scopes);
    } catch (error) {
      if (error instanceof ResourceError) return resource.refuse(error, scopes);
      throw error;
    }
    return handler(request, env, ctx, token);
  };
}
