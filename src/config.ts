/** The production cap: Workers refuse PBKDF2 with more iterations than this. */
export const MAX_PBKDF2_ITERATIONS = 100_000;

export interface Config {
  /** Our issuer identifier (RFC 8414 section 2): an https URL in production, no query or fragment. */
  issuer: string;
  /** Cookies get `__Host-` and `Secure` only when the issuer is https; browsers refuse them on plain http otherwise. */
  secureCookies: boolean;
  authorizationCodeTtlSeconds: number;
  loginRequestTtlSeconds: number;
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  passwordHashIterations: number;
  registryCacheTtlSeconds: number;
  keyRotationDays: number;
  auditRetentionDays: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function wholeNumber(vars: Record<string, unknown>, name: string, fallback: number, max: number): number {
  const raw = vars[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ConfigError(`${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

function parseIssuer(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw new ConfigError('ISSUER is required');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('ISSUER must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('ISSUER must be an http(s) URL');
  if (url.search || url.hash) throw new ConfigError('ISSUER must not have a query or fragment');
  // A trailing slash would make every endpoint URL ambiguous.
  return raw.replace(/\/+$/, '');
}

/** Reads wrangler vars into a typed Config; throws ConfigError on a bad value so a misdeployment fails loudly. */
export function parseConfig(vars: Record<string, unknown>): Config {
  const issuer = parseIssuer(vars.ISSUER);
  const passwordHashIterations = wholeNumber(vars, 'PASSWORD_HASH_ITERATIONS', MAX_PBKDF2_ITERATIONS, MAX_PBKDF2_ITERATIONS);
  return {
    issuer,
    secureCookies: issuer.startsWith('https:'),
    authorizationCodeTtlSeconds: wholeNumber(vars, 'AUTHORIZATION_CODE_TTL_SECONDS', 60, 600),
    loginRequestTtlSeconds: wholeNumber(vars, 'LOGIN_REQUEST_TTL_SECONDS', 600, 3600),
    accessTokenTtlSeconds: wholeNumber(vars, 'ACCESS_TOKEN_TTL_SECONDS', 3600, 86_400),
    idTokenTtlSeconds: wholeNumber(vars, 'ID_TOKEN_TTL_SECONDS', 3600, 86_400),
    sessionTtlSeconds: wholeNumber(vars, 'SESSION_TTL_SECONDS', 7 * 86_400, 90 * 86_400),
    passwordHashIterations,
    registryCacheTtlSeconds: wholeNumber(vars, 'REGISTRY_CACHE_TTL_SECONDS', 60, 3600),
    keyRotationDays: wholeNumber(vars, 'KEY_ROTATION_DAYS', 30, 365),
    auditRetentionDays: wholeNumber(vars, 'AUDIT_RETENTION_DAYS', 30, 3650),
  };
}

let cached: { vars: object; config: Config } | undefined;

/** Parses once per isolate: `env` is the same object for every request of an isolate. */
export function getConfig(env: Env): Config {
  if (cached?.vars !== env) cached = { vars: env, config: parseConfig(env as unknown as Record<string, unknown>) };
  return cached.config;
}
