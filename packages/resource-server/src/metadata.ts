import { DPOP_ALGS } from './dpop';

/**
 * Protected-resource metadata (RFC 9728): where an MCP client learns which authorization server
 * issues tokens for this resource. Served at the path-suffixed URL the RFC defines (section 3.1:
 * `/.well-known/oauth-protected-resource` inserted before the resource's path) and at the root one,
 * which clients also try.
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
 */

export const WELL_KNOWN = '/.well-known/oauth-protected-resource';

export interface MetadataOptions {
  resource: string;
  issuer: string;
  scopesSupported?: readonly string[] | undefined;
  resourceName?: string | undefined;
  resourceDocumentation?: string | undefined;
}

/** The metadata's path for a resource: `https://mcp.example.com/mcp` → `/.well-known/oauth-protected-resource/mcp`. */
export function metadataPath(resource: string): string {
  const { pathname } = new URL(resource);
  return pathname === '/' ? WELL_KNOWN : `${WELL_KNOWN}${pathname.replace(/\/$/, '')}`;
}

export function metadataDocument(options: MetadataOptions): Record<string, unknown> {
  const document: Record<string, unknown> = {
    resource: options.resource,
    authorization_servers: [options.issuer],
    bearer_methods_supported: ['header'],
    dpop_signing_alg_values_supported: DPOP_ALGS,
  };
  if (options.scopesSupported) document.scopes_supported = options.scopesSupported;
  if (options.resourceName) document.resource_name = options.resourceName;
  if (options.resourceDocumentation) document.resource_documentation = options.resourceDocumentation;
  return document;
}

/** Public, readable from any origin (browser-based clients discover too), cacheable for a while. */
export function metadataResponse(document: Record<string, unknown>, method: string): Response {
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' };
  if (method === 'OPTIONS') return new Response(null, { status: 204, headers: { ...headers, 'Access-Control-Allow-Methods': 'GET' } });
  if (method !== 'GET' && method !== 'HEAD') return new Response(null, { status: 405, headers: { Allow: 'GET, HEAD, OPTIONS' } });
  return new Response(method === 'HEAD' ? null : JSON.stringify(document), { headers });
}
