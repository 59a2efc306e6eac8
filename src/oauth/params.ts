import { invalidRequest, OAuthError } from '../errors/oauth-error';

/** Longest value accepted for any single parameter; `state` and `nonce` are opaque but bounded. */
export const MAX_PARAM_LENGTH = 2048;

/** Names are echoed in error descriptions only when they are plain, so no client input is reflected raw. */
function describe(name: string): string {
  return /^[a-z_]{1,40}$/.test(name) ? name : 'same';
}

/**
 * Turns raw parameters into a map with one value each. RFC 6749 section 3.1: parameters must not
 * be repeated; a repeated one is a malformed request, not a choice between values. Several
 * `resource` values are a request for a token with several audiences, which we do not issue
 * (RFC 8707 section 2: invalid_target).
 */
export function singleValuedParams(entries: Iterable<[string, string]>): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of entries) {
    if (params.has(name) && name === 'resource') throw new OAuthError('invalid_target', 'Only one resource may be requested: a token has one audience.');
    if (params.has(name)) throw invalidRequest(`The ${describe(name)} parameter is repeated.`);
    if (value.length > MAX_PARAM_LENGTH) throw invalidRequest(`The ${describe(name)} parameter is too long.`);
    params.set(name, value);
  }
  return params;
}

/** RFC 6749 section 3.1: a parameter sent without a value is treated as omitted. */
export function optionalParam(params: Map<string, string>, name: string): string | undefined {
  const value = params.get(name);
  return value === '' ? undefined : value;
}

export function requiredParam(params: Map<string, string>, name: string): string {
  const value = optionalParam(params, name);
  if (value === undefined) throw invalidRequest(`The ${name} parameter is required.`);
  return value;
}
