/**
 * What kind of failure an error is, for a log line or an error description: a library's stable
 * `code` (jose's `ERR_JWT_EXPIRED`, oauth4webapi's `OAUTH_…`) when it has one, else its name. The
 * deployed script does not keep class names (wrangler.toml `keep_names = false`), so a library
 * class that names itself after its constructor would log a minified name; ours set theirs.
 */
export function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return 'non-error thrown';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : error.name;
}
