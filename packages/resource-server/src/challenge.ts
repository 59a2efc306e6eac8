/**
 * Refusals of a protected resource (RFC 6750 section 3, RFC 9449 section 7.1) with the pointer to
 * the resource's metadata (RFC 9728 section 5.1) that MCP clients start their discovery from.
 */

export type ResourceErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof';

/** Why a request was refused; `toResponse` renders it as the MCP authorization specification expects. */
export class ResourceError extends Error {
  override readonly name = 'ResourceError';
  constructor(
    /** Undefined when the request carried no credentials at all (RFC 6750 section 3.1). */
    readonly code: ResourceErrorCode | undefined,
    message: string,
  ) {
    super(message);
  }

  get status(): 401 | 403 | 400 {
    if (this.code === 'insufficient_scope') return 403;
    return this.code === 'invalid_request' ? 400 : 401;
  }
}

export interface ChallengeParams {
  resourceMetadataUrl: string;
  /** The scopes the request needed, for the client to ask for (MCP authorization, scope selection). */
  scopes: readonly string[];
  dpopAlgs: readonly string[];
}

/** A quoted-string value: our own text only, but quotes and backslashes are escaped anyway. */
const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

function params(entries: [string, string | undefined][]): string {
  return entries.filter(([, value]) => value !== undefined && value !== '').map(([name, value]) => `${name}=${quoted(value!)}`).join(', ');
}

/**
 * The WWW-Authenticate challenges: Bearer first (MCP clients read the first one), then DPoP so a
 * DPoP client learns the algorithms (RFC 9449 section 7.1).
 */
export function challenges(error: ResourceError, context: ChallengeParams): string[] {
  const scope = context.scopes.length > 0 ? context.scopes.join(' ') : undefined;
  const described: [string, string | undefined][] = error.code === undefined ? [] : [['error', error.code === 'invalid_dpop_proof' ? 'invalid_token' : error.code], ['error_description', error.message]];
  const bearer = `Bearer ${params([['resource_metadata', context.resourceMetadataUrl], ...described, ['scope', scope]])}`;
  const dpopDescribed: [string, string | undefined][] = error.code === undefined ? [] : [['error', error.code], ['error_description', error.message]];
  const dpop = `DPoP ${params([...dpopDescribed, ['algs', context.dpopAlgs.join(' ')]])}`;
  return [bearer, dpop];
}

/** The refusal as a JSON response with its challenges; never cached. */
export function errorResponse(error: ResourceError, context: ChallengeParams): Response {
  const headers = new Headers({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  for (const challenge of challenges(error, context)) headers.append('WWW-Authenticate', challenge);
  const body = error.code === undefined ? { error_description: error.message } : { error: error.code, error_description: error.message };
  return new Response(JSON.stringify(body), { status: error.status, headers });
}
