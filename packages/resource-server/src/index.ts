/**
 * @edge-auth/resource-server: protect an API or an MCP server on Workers with edge-auth's access
 * tokens. See README.md.
 */
export { ResourceError, type ResourceErrorCode } from './challenge';
export { DPOP_ALGS } from './dpop';
export { withAccessToken, type AuthenticatedHandler } from './fetch-handler';
export { protectedResourceMetadata, requireAccessToken, type AccessTokenVariables } from './hono';
export { metadataPath, WELL_KNOWN } from './metadata';
export { protectedResource, type AccessToken, type ProtectedResource, type ProtectedResourceOptions } from './protected-resource';
