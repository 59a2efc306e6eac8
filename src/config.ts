import * as v from 'valibot';
import { MAX_PBKDF2_ITERATIONS, SCRYPT, type PasswordHashing } from './crypto/password';
import { AppError } from './errors/app-error';
import { SERVER_FAILED } from './errors/oauth-error';

/** A misdeployment: the log says which variable is wrong, the client only that the server failed. */
export class ConfigError extends AppError {
  override readonly name = 'ConfigError';
  readonly code = 'server_error';
  constructor(detail: string) {
    super('The server could not complete the request.', { status: 500, detail, title: 'Something went wrong', words: SERVER_FAILED });
  }
}

/** A wrangler var holding a whole number from 1 to `max`, or `fallback` when unset. */
const wholeNumber = (name: string, fallback: number, max: number) =>
  v.pipe(
    v.optional(v.string(), ''),
    v.transform((raw) => (raw === '' ? fallback : Number(raw))),
    v.check((n) => Number.isInteger(n) && n >= 1 && n <= max, `${name} must be a whole number from 1 to ${max}`),
  );

/** What is wrong with an issuer identifier (RFC 8414 section 2), if anything. */
function issuerProblem(raw: string): string | undefined {
  if (raw === '') return 'ISSUER is required';
  if (!URL.canParse(raw)) return 'ISSUER must be an absolute URL';
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'ISSUER must be an http(s) URL';
  if (url.search || url.hash) return 'ISSUER must not have a query or fragment';
  return undefined;
}

/** 127.0.0.0/8, [::1] or localhost: only the machine itself can reach such an issuer. */
function isLoopbackIssuer(issuer: string): boolean {
  const host = new URL(issuer).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const issuer = v.pipe(
  v.string('ISSUER is required'),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? issuerProblem(dataset.value) : undefined;
    if (problem) addIssue({ message: problem });
  }),
  // A trailing slash would make every endpoint URL ambiguous.
  v.transform((raw) => raw.replace(/\/+$/, '')),
);

export const CLIENT_REGISTRATION = ['off', 'open', 'token'] as const;
export type ClientRegistrationPolicy = (typeof CLIENT_REGISTRATION)[number];

const Vars = v.object({
  ISSUER: issuer,
  AUTHORIZATION_CODE_TTL_SECONDS: wholeNumber('AUTHORIZATION_CODE_TTL_SECONDS', 60, 600),
  LOGIN_REQUEST_TTL_SECONDS: wholeNumber('LOGIN_REQUEST_TTL_SECONDS', 600, 3600),
  ACCESS_TOKEN_TTL_SECONDS: wholeNumber('ACCESS_TOKEN_TTL_SECONDS', 3600, 86_400),
  ID_TOKEN_TTL_SECONDS: wholeNumber('ID_TOKEN_TTL_SECONDS', 3600, 86_400),
  SESSION_TTL_SECONDS: wholeNumber('SESSION_TTL_SECONDS', 7 * 86_400, 90 * 86_400),
  /** How new password hashes are made: scrypt (memory-hard, the default) or PBKDF2-SHA256. */
  PASSWORD_HASH_SCHEME: v.optional(v.picklist(['scrypt', 'pbkdf2-sha256'], 'PASSWORD_HASH_SCHEME must be scrypt or pbkdf2-sha256'), 'scrypt'),
  // Production Workers refuse PBKDF2 above the cap, so a larger value is refused here too.
  PASSWORD_HASH_ITERATIONS: wholeNumber('PASSWORD_HASH_ITERATIONS', MAX_PBKDF2_ITERATIONS, MAX_PBKDF2_ITERATIONS),
  REGISTRY_CACHE_TTL_SECONDS: wholeNumber('REGISTRY_CACHE_TTL_SECONDS', 60, 3600),
  /** RFC 9126 section 2.2: a pushed request is meant to be used at once; ten minutes at most. */
  PUSHED_REQUEST_TTL_SECONDS: wholeNumber('PUSHED_REQUEST_TTL_SECONDS', 60, 600),
  REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: v.optional(
    v.picklist(['true', 'false'], 'REQUIRE_PUSHED_AUTHORIZATION_REQUESTS must be true or false'),
    'false',
  ),
  KEY_ROTATION_DAYS: wholeNumber('KEY_ROTATION_DAYS', 30, 365),
  AUDIT_RETENTION_DAYS: wholeNumber('AUDIT_RETENTION_DAYS', 30, 3650),
  /** Set only by `npm run dev` (scripts/dev.mjs passes it with --var); never in wrangler.toml. */
  DEV_HOME_PAGE: v.optional(v.picklist(['true', 'false'], 'DEV_HOME_PAGE must be true or false'), 'false'),
  /** Set only by `npm run dev` and the tests: account mail is also kept on /dev/mailbox. */
  DEV_MAILBOX: v.optional(v.picklist(['true', 'false'], 'DEV_MAILBOX must be true or false'), 'false'),
  /** Dev and tests only: client-supplied URLs on a loopback IP literal may be fetched (src/oauth/outbound-url.ts). */
  DEV_LOOPBACK_FETCH: v.optional(v.picklist(['true', 'false'], 'DEV_LOOPBACK_FETCH must be true or false'), 'false'),
  MAIL_FROM: v.optional(v.pipe(v.string(), v.regex(/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/, 'MAIL_FROM must be an email address')), 'no-reply@example.com'),
  PASSWORD_MIN_LENGTH: wholeNumber('PASSWORD_MIN_LENGTH', 8, 64),
  /** `pwned-passwords` also refuses new passwords that Have I Been Pwned has seen (k-anonymity range query). */
  BREACHED_PASSWORD_CHECK: v.optional(v.picklist(['off', 'pwned-passwords'], 'BREACHED_PASSWORD_CHECK must be off or pwned-passwords'), 'off'),
  /** Dynamic client registration (RFC 7591): off (the default), open to anyone, or with an initial access token. */
  CLIENT_REGISTRATION: v.optional(v.picklist(CLIENT_REGISTRATION, 'CLIENT_REGISTRATION must be off, open or token'), 'off'),
  /** The initial access token of the `token` policy: a secret (`wrangler secret put`), never a var. */
  CLIENT_REGISTRATION_TOKEN: v.optional(v.string(), ''),
  /** Clients whose client_id is an https URL of their metadata document (MCP's CIMD): on (the default) or off. */
  CLIENT_ID_METADATA_DOCUMENTS: v.optional(v.picklist(['on', 'off'], 'CLIENT_ID_METADATA_DOCUMENTS must be on or off'), 'on'),
  REGISTERED_CLIENT_IDLE_DAYS: wholeNumber('REGISTERED_CLIENT_IDLE_DAYS', 30, 365),
  /** API identifiers registered clients may get tokens for, separated by spaces or commas; empty: every API but the Management API. */
  REGISTERED_CLIENT_AUDIENCES: v.optional(v.string(), ''),
  /** Seals upstream connections' secrets at rest (src/db/connection-secret.ts): a secret (`wrangler secret put`), never a var. */
  CONNECTION_SECRETS_KEY: v.optional(v.string(), ''),
  /** Passkeys (WebAuthn): the RP ID (a host, the issuer's or a parent of it); empty: the issuer's host. */
  WEBAUTHN_RP_ID: v.optional(v.string(), ''),
  /** Origins whose passkey ceremonies are accepted, separated by spaces or commas; empty: the issuer's origin. */
  WEBAUTHN_ORIGINS: v.optional(v.string(), ''),
});

/** Shorter keys are treated as unset. */
const MIN_CONNECTION_SECRETS_KEY_LENGTH = 32;

/**
 * On an issuer no deployment can have (npm run dev, the tests), connections' secrets are sealed
 * with this fixed key when CONNECTION_SECRETS_KEY is unset, so a newcomer needs no set-up step.
 */
const DEVELOPMENT_CONNECTION_SECRETS_KEY = 'edge-auth development only: connection secrets are not secret here';

/** Initial access tokens shorter than this are treated as unset: the endpoint stays closed. */
const MIN_REGISTRATION_TOKEN_LENGTH = 32;

export interface Config {
  issuer: string;
  /** Cookies get `__Host-` and `Secure` only when the issuer is https; browsers refuse them on plain http otherwise. */
  secureCookies: boolean;
  /**
   * The issuer is a loopback address: a developer's own machine (`npm run dev`, tests), never a
   * deployment. Error log lines may then name what only the operator should see, such as a
   * client's registered redirect URIs.
   */
  development: boolean;
  authorizationCodeTtlSeconds: number;
  loginRequestTtlSeconds: number;
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  /** New hashes and the stand-in for unknown accounts; stored hashes keep their own parameters. */
  passwordHashing: PasswordHashing;
  registryCacheTtlSeconds: number;
  /** How long a request_uri from POST /par may be used (`expires_in`). */
  pushedRequestTtlSeconds: number;
  /** Every client must use POST /par (RFC 9126 section 5, `require_pushed_authorization_requests`). */
  requirePushedAuthorizationRequests: boolean;
  keyRotationDays: number;
  auditRetentionDays: number;
  /** The development home page at `/` (src/routes/dev-home.ts): only on a plain-http loopback issuer. */
  devHomePage: boolean;
  /**
   * Account mail is also kept in memory and shown on /dev/mailbox (src/routes/dev-mailbox.ts):
   * only with DEV_MAILBOX and an issuer no deployment can have (loopback, or the reserved `.test`
   * domain of RFC 6761 that the workerd tests use).
   */
  devMailbox: boolean;
  /**
   * Client ID Metadata Documents and `jwks_uri` may be fetched from `http(s)://127.0.0.1:<port>`
   * (tests serve them locally): only with DEV_LOOPBACK_FETCH and an issuer no deployment can have,
   * as for devMailbox; `npm run deploy` also refuses the variable.
   */
  allowLoopbackFetch: boolean;
  mailFrom: string;
  /** NIST SP 800-63B section 3.1.1.2: 8 or more; new passwords shorter than this are refused. */
  passwordMinLength: number;
  /** The Pwned Passwords range endpoint (the prefix is appended), or undefined: no online check. */
  breachedPasswordRangeUrl: string | undefined;
  /**
   * Who may register a client at POST /register: nobody, anyone (rate limited per network), or
   * whoever holds `clientRegistrationToken`. `token` without a token of 32 characters or more is `off`.
   */
  clientRegistration: ClientRegistrationPolicy;
  clientRegistrationToken: string | undefined;
  /** A dynamically registered client unused for this long is deleted by the cron. */
  registeredClientIdleDays: number;
  /** The APIs a dynamically registered client may use; undefined: every API but the Management API. */
  registeredClientAudiences: readonly string[] | undefined;
  /** A client_id that is an https URL is looked up by fetching its metadata document; off: such an id is unknown. */
  clientIdMetadataDocuments: boolean;
  /** What seals upstream connections' secrets; undefined: only secrets named as wrangler secrets can be used. */
  connectionSecretsKey: string | undefined;
  /** Passkeys: the relying party and the origins (web, or `android:apk-key-hash:`) it accepts ceremonies from. */
  webauthn: WebAuthnConfig;
}

export interface WebAuthnConfig {
  rpId: string;
  origins: readonly string[];
  /** False on an issuer that is an IP address (`npm run dev`'s default): browsers refuse an IP as RP ID. */
  enabled: boolean;
}

/**
 * WebAuthn section 5.1.3 (RP ID): the RP ID must be the issuer's host or a registrable parent of it,
 * or browsers refuse the ceremony on our pages; an origin is https (http only on a loopback issuer)
 * or an Android app's `android:apk-key-hash:` facet.
 */
function webauthnConfig(out: v.InferOutput<typeof Vars>): WebAuthnConfig {
  const { hostname, origin } = new URL(out.ISSUER);
  const rpId = out.WEBAUTHN_RP_ID.trim().toLowerCase() || hostname;
  if (rpId !== hostname && !hostname.endsWith(`.${rpId}`)) throw new ConfigError('WEBAUTHN_RP_ID must be the issuer\'s host or a parent domain of it');
  const origins = out.WEBAUTHN_ORIGINS.split(/[\s,]+/).filter(Boolean);
  for (const entry of origins) {
    const web = URL.canParse(entry) && new URL(entry).origin === entry && (entry.startsWith('https://') || isLoopbackIssuer(entry));
    if (!web && !/^android:apk-key-hash:[\w-]{43}$/.test(entry)) throw new ConfigError(`WEBAUTHN_ORIGINS: ${entry.slice(0, 80)} is not an https origin or android:apk-key-hash: facet`);
  }
  const enabled = !/^[\d.]+$/.test(rpId) && !rpId.startsWith('[');
  return { rpId, origins: origins.length > 0 ? origins : [origin], enabled };
}

/**
 * Where `npm run dev` serves: plain http on a loopback IP literal. A deployed worker cannot have
 * such an issuer (browsers would not reach it, and `npm run deploy` refuses it), so a dev-only
 * feature gated on it stays off in production even if its variable is set there by mistake.
 */
function isLoopbackHttp(issuer: string): boolean {
  const { protocol, hostname } = new URL(issuer);
  return protocol === 'http:' && (/^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '[::1]' || hostname === 'localhost');
}

/** A host under `.test` (RFC 6761 section 6.2): never resolvable on the internet, so never a deployment. */
function isReservedTestHost(issuer: string): boolean {
  return new URL(issuer).hostname.endsWith('.test');
}

function registrationConfig(out: v.InferOutput<typeof Vars>) {
  const token = out.CLIENT_REGISTRATION_TOKEN.length >= MIN_REGISTRATION_TOKEN_LENGTH ? out.CLIENT_REGISTRATION_TOKEN : undefined;
  const audiences = out.REGISTERED_CLIENT_AUDIENCES.split(/[\s,]+/).filter(Boolean);
  return {
    clientRegistration: out.CLIENT_REGISTRATION === 'token' && !token ? ('off' as const) : out.CLIENT_REGISTRATION,
    clientRegistrationToken: token,
    registeredClientIdleDays: out.REGISTERED_CLIENT_IDLE_DAYS,
    registeredClientAudiences: audiences.length > 0 ? audiences : undefined,
    clientIdMetadataDocuments: out.CLIENT_ID_METADATA_DOCUMENTS === 'on',
  };
}

/** Reads wrangler vars into a typed Config; throws ConfigError on a bad value so a misdeployment fails loudly. */
export function parseConfig(vars: Record<string, unknown>): Config {
  const parsed = v.safeParse(Vars, vars);
  if (!parsed.success) throw new ConfigError(parsed.issues[0].message);
  const out = parsed.output;
  return {
    issuer: out.ISSUER,
    secureCookies: out.ISSUER.startsWith('https:'),
    development: isLoopbackIssuer(out.ISSUER),
    authorizationCodeTtlSeconds: out.AUTHORIZATION_CODE_TTL_SECONDS,
    loginRequestTtlSeconds: out.LOGIN_REQUEST_TTL_SECONDS,
    accessTokenTtlSeconds: out.ACCESS_TOKEN_TTL_SECONDS,
    idTokenTtlSeconds: out.ID_TOKEN_TTL_SECONDS,
    sessionTtlSeconds: out.SESSION_TTL_SECONDS,
    passwordHashing:
      out.PASSWORD_HASH_SCHEME === 'scrypt' ? { scheme: 'scrypt', ...SCRYPT } : { scheme: 'pbkdf2-sha256', iterations: out.PASSWORD_HASH_ITERATIONS },
    registryCacheTtlSeconds: out.REGISTRY_CACHE_TTL_SECONDS,
    pushedRequestTtlSeconds: out.PUSHED_REQUEST_TTL_SECONDS,
    requirePushedAuthorizationRequests: out.REQUIRE_PUSHED_AUTHORIZATION_REQUESTS === 'true',
    keyRotationDays: out.KEY_ROTATION_DAYS,
    auditRetentionDays: out.AUDIT_RETENTION_DAYS,
    devHomePage: out.DEV_HOME_PAGE === 'true' && isLoopbackHttp(out.ISSUER),
    devMailbox: out.DEV_MAILBOX === 'true' && (isLoopbackHttp(out.ISSUER) || isReservedTestHost(out.ISSUER)),
    allowLoopbackFetch: out.DEV_LOOPBACK_FETCH === 'true' && (isLoopbackHttp(out.ISSUER) || isReservedTestHost(out.ISSUER)),
    mailFrom: out.MAIL_FROM,
    // Never below the floor of NIST SP 800-63B, whatever the variable says.
    passwordMinLength: Math.max(8, out.PASSWORD_MIN_LENGTH),
    breachedPasswordRangeUrl: out.BREACHED_PASSWORD_CHECK === 'pwned-passwords' ? 'https://api.pwnedpasswords.com/range/' : undefined,
    ...registrationConfig(out),
    connectionSecretsKey:
      out.CONNECTION_SECRETS_KEY.length >= MIN_CONNECTION_SECRETS_KEY_LENGTH
        ? out.CONNECTION_SECRETS_KEY
        : isLoopbackHttp(out.ISSUER) || isReservedTestHost(out.ISSUER)
          ? DEVELOPMENT_CONNECTION_SECRETS_KEY
          : undefined,
    webauthn: webauthnConfig(out),
  };
}

let cached: { vars: object; config: Config } | undefined;

/** Parses once per isolate: `env` is the same object for every request of an isolate. */
export function getConfig(env: Env): Config {
  if (cached?.vars !== env) cached = { vars: env, config: parseConfig(env as unknown as Record<string, unknown>) };
  return cached.config;
}
