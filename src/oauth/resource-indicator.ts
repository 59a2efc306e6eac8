import { OAuthError } from '../errors/oauth-error';
import { optionalParam } from './params';

/**
 * Resource indicators (RFC 8707): `resource` names the API a token is for, as Auth0's `audience`
 * does; both select an API by its identifier, and a token carries that identifier as its `aud`.
 * Both are accepted; when both are sent they must name the same API. One value per request: a
 * token has a single audience (section 2: the server may refuse several with invalid_target).
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */

export const invalidTarget = (description: string) => new OAuthError('invalid_target', description);

/** The API a request names, and through which parameter (only `resource` errors are invalid_target). */
export interface RequestedTarget {
  value: string;
  via: 'resource' | 'audience';
}

/** RFC 8707 section 2: an absolute URI, without a fragment. */
function parseResource(value: string): string {
  if (value.includes('#') || !URL.canParse(value)) throw invalidTarget('resource must be an absolute URI without a fragment.');
  return value;
}

/**
 * Whether an API identifier is the one a resource names: the same string, or the same URL once
 * both are normalised (an MCP client sends `https://mcp.example.com/` for `https://mcp.example.com`).
 */
export function isResource(identifier: string, resource: string): boolean {
  if (identifier === resource) return true;
  if (!URL.canParse(identifier) || !URL.canParse(resource)) return false;
  return new URL(identifier).href === new URL(resource).href;
}

/** What the request names with `resource` and `audience`, or undefined when it names nothing. */
export function requestedTarget(params: Map<string, string>): RequestedTarget | undefined {
  const raw = optionalParam(params, 'resource');
  const resource = raw === undefined ? undefined : parseResource(raw);
  const audience = optionalParam(params, 'audience');
  if (resource !== undefined && audience !== undefined && !isResource(audience, resource)) {
    throw invalidTarget('resource and audience name different APIs.');
  }
  if (resource !== undefined) return { value: resource, via: 'resource' };
  return audience === undefined ? undefined : { value: audience, via: 'audience' };
}

/** The `resource` of a token request (authorization code, refresh): checked against the grant by its record. */
export function requestedResource(params: Map<string, string>): string | undefined {
  const target = requestedTarget(params);
  return target?.via === 'resource' ? target.value : undefined;
}

/** The identifier among `identifiers` that the target names, if any. */
export function findTarget(identifiers: readonly string[], target: RequestedTarget): string | undefined {
  return identifiers.find((identifier) => identifier === target.value) ?? identifiers.find((identifier) => isResource(identifier, target.value));
}
