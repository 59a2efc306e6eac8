import { readFileSync } from 'node:fs';
import { changes, oneOf, repeated, required, secondsOrDefault, spaceSeparatedList, valueOrNone, wholeNumber } from '../lib/argv.mjs';
import { PAGE_OPTIONS } from '../lib/command.mjs';
import { UsageError } from '../lib/errors.mjs';
import { segment } from '../lib/management-client.mjs';
import { printList, printResource, printWithSecret } from '../lib/output.mjs';

const SETTINGS = /** @type {const} */ ({
  name: { type: 'string', value: 'NAME', help: 'display name' },
  'redirect-uri': { type: 'string', multiple: true, value: 'URI', help: 'redirect URI, exactly as the app sends it (repeatable)' },
  'post-logout-redirect-uri': { type: 'string', multiple: true, value: 'URI', help: 'where logout may return (repeatable)' },
  'grant-type': {
    type: 'string',
    multiple: true,
    value: 'TYPE',
    help: 'authorization_code, refresh_token or client_credentials (repeatable; default authorization_code refresh_token)',
  },
  scope: { type: 'string', multiple: true, value: 'SCOPE', help: 'scopes it may ask for (repeatable or space-separated)' },
  audience: { type: 'string', multiple: true, value: 'API', help: 'identifier of an API it may get tokens for (repeatable)' },
  'access-token-ttl': { type: 'string', value: 'SECONDS', help: "its access tokens' lifetime, 60 to 86400, or `default`" },
  'refresh-token-absolute-ttl': { type: 'string', value: 'SECONDS', help: 'refresh tokens live at most this long after sign-in' },
  'refresh-token-idle-ttl': { type: 'string', value: 'SECONDS', help: 'refresh tokens die after this long unused' },
  'refresh-token-reuse-leeway': { type: 'string', value: 'SECONDS', help: 'the previous refresh token works once more within this time, 0 to 300' },
  'require-consent': {
    type: 'boolean',
    negatable: true,
    help: "ask each user to allow the scopes first, for third-party apps (default: no, for your own)",
  },
  'require-pushed-authorization-requests': {
    type: 'boolean',
    negatable: true,
    help: 'accept its sign-in requests only through POST /par, never in full on the browser URL (RFC 9126; default: no)',
  },
  'dpop-bound-access-tokens': {
    type: 'boolean',
    negatable: true,
    help: 'require a DPoP proof (RFC 9449) on every token request, so all its tokens are bound to the app\'s key (default: DPoP optional)',
  },
  'allow-signup': {
    type: 'boolean',
    negatable: true,
    help: 'let people create their own account on its sign-in page (default: no)',
  },
  'require-verified-email': {
    type: 'boolean',
    negatable: true,
    help: 'send people whose email is not confirmed to a "check your inbox" page before it gets a code (default: no)',
  },
  'default-locale': { type: 'string', value: 'LANG', help: 'language of its pages when neither the app (ui_locales) nor the browser names one edge-auth speaks: en, de, es, fr, ja, ar, or `none`' },
  'require-mfa': {
    type: 'boolean',
    negatable: true,
    help: 'require a second factor (an authenticator app or a passkey) to sign in; people without one set it up first (default: no)',
  },
  'logo-uri': { type: 'string', value: 'URL', help: 'https URL of a logo for its sign-in and consent pages, or `none`' },
  'primary-color': { type: 'string', value: 'COLOR', help: 'brand colour of those pages, such as #1a73e8, or `none` for the default' },
  'token-endpoint-auth-method': {
    type: 'string',
    value: 'METHOD',
    help: 'how it authenticates at the token endpoint: client_secret_basic, client_secret_post, private_key_jwt (with --jwks-uri or --jwks-file) or none',
  },
  'jwks-uri': { type: 'string', value: 'URL', help: 'https URL of its public keys (JWK set) for private_key_jwt, or `none`' },
  'jwks-file': { type: 'string', value: 'FILE', help: 'a file holding its public keys (JWK set JSON) for private_key_jwt, or `none`' },
  connection: {
    type: 'string',
    multiple: true,
    value: 'NAME',
    help: 'an upstream connection whose button its sign-in page shows, in order (repeatable or space-separated; `none` for no buttons)',
  },
  'ios-app-id': { type: 'string', multiple: true, value: 'TEAMID.BUNDLE', help: 'an iOS app that may use passkeys with this server, such as ABCDE12345.com.example.app (repeatable)' },
  'android-package': {
    type: 'string',
    multiple: true,
    value: 'PACKAGE=SHA256[,SHA256]',
    help: 'an Android app that may use passkeys with this server: its package name and signing-certificate SHA-256 fingerprints (repeatable)',
  },
  'sso-confirmation': {
    type: 'string',
    value: 'WHEN',
    help: 'when a signed-in user confirms single sign-on with one tap: unverified_redirects (default; loopback and custom-scheme redirects), always or never',
  },
});

/**
 * The Management API body for the settings given on the command line.
 * @param {import('../lib/argv.mjs').OptionValues} values
 */
function settings(values) {
  return {
    name: values.name,
    redirect_uris: repeated(values, 'redirect-uri'),
    post_logout_redirect_uris: repeated(values, 'post-logout-redirect-uri'),
    grant_types: spaceSeparatedList(values, 'grant-type'),
    scopes: spaceSeparatedList(values, 'scope'),
    audiences: repeated(values, 'audience'),
    access_token_ttl_seconds: secondsOrDefault(values, 'access-token-ttl'),
    refresh_token_absolute_ttl_seconds: wholeNumber(values, 'refresh-token-absolute-ttl'),
    refresh_token_idle_ttl_seconds: wholeNumber(values, 'refresh-token-idle-ttl'),
    refresh_token_reuse_leeway_seconds: wholeNumber(values, 'refresh-token-reuse-leeway'),
    require_consent: /** @type {boolean | undefined} */ (values['require-consent']),
    require_pushed_authorization_requests: /** @type {boolean | undefined} */ (values['require-pushed-authorization-requests']),
    dpop_bound_access_tokens: /** @type {boolean | undefined} */ (values['dpop-bound-access-tokens']),
    allow_signup: /** @type {boolean | undefined} */ (values['allow-signup']),
    require_verified_email: /** @type {boolean | undefined} */ (values['require-verified-email']),
    default_locale: valueOrNone(values, 'default-locale'),
    require_mfa: /** @type {boolean | undefined} */ (values['require-mfa']),
    logo_uri: valueOrNone(values, 'logo-uri'),
    primary_color: valueOrNone(values, 'primary-color'),
    // The server knows the values; it answers a wrong one with the field path.
    sso_confirmation: values['sso-confirmation'],
    token_endpoint_auth_method: values['token-endpoint-auth-method'],
    jwks_uri: valueOrNone(values, 'jwks-uri'),
    jwks: jwksFromFile(valueOrNone(values, 'jwks-file')),
    connections: connectionNames(values),
    ios_app_ids: repeated(values, 'ios-app-id'),
    android_packages: repeated(values, 'android-package')?.map(androidPackage),
  };
}

/**
 * `--connection a --connection b`, or `--connection none` for an empty list.
 * @param {import('../lib/argv.mjs').OptionValues} values
 */
function connectionNames(values) {
  const names = spaceSeparatedList(values, 'connection');
  return names?.length === 1 && names[0] === 'none' ? [] : names;
}

/**
 * `com.example.app=14:6D:...,AB:CD:...` as the Management API's `android_packages` entry.
 * @param {string} value
 */
function androidPackage(value) {
  const [name = '', fingerprints = ''] = value.split('=');
  return { package_name: name, sha256_cert_fingerprints: fingerprints.split(',').filter(Boolean) };
}

/**
 * The JWK set in the file `--jwks-file` names; null for `none`.
 * @param {string | null | undefined} path
 */
function jwksFromFile(path) {
  if (path === undefined || path === null) return path;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--jwks-file ${path}: ${error instanceof Error ? error.message : 'cannot be read'} (a JWK set: {"keys": [...]}).`);
  }
}

/** @type {import('../lib/output.mjs').Column[]} */
const COLUMNS = [
  { header: 'ID', value: (client) => client.id },
  { header: 'NAME', value: (client) => client.name },
  { header: 'TYPE', value: (client) => client.type },
  { header: 'GRANT TYPES', value: (client) => client.grant_types },
  // `dynamic`: registered by the app itself (RFC 7591); it expires when unused since LAST USED.
  { header: 'REGISTRATION', value: (client) => client.registration },
  { header: 'LAST USED', value: (client) => client.last_used_at },
  { header: 'REDIRECT URIS', value: (client) => client.redirect_uris },
];

/** @type {import('../lib/command.mjs').CommandGroup} */
export const clients = {
  summary: 'applications: native apps that sign users in, services that call APIs',
  commands: {
    list: {
      summary: 'list clients',
      options: PAGE_OPTIONS,
      run: async ({ api, values, output }) =>
        printList(output, await api().get('clients', { page: wholeNumber(values, 'page'), per_page: wholeNumber(values, 'per-page') }), COLUMNS),
    },
    get: {
      summary: 'show a client',
      args: ['id'],
      run: async ({ api, args, output }) => printResource(output, await api().get(`clients/${segment(args[0] ?? '')}`)),
    },
    create: {
      summary: 'register a client; a confidential one gets a secret, shown once',
      options: { type: { type: 'string', value: 'TYPE', help: 'public (native and browser apps) or confidential (servers)' }, ...SETTINGS },
      examples: [
        "clients create --name 'iOS App' --type public --redirect-uri com.example.ios:/callback --scope 'openid profile offline_access read:items' --audience https://api.example.com",
        "clients create --name 'Partner app' --type public --redirect-uri com.partner.app:/callback --scope openid --audience https://api.example.com --require-consent --primary-color '#0a7d32'",
        "clients create --name 'Billing job' --type confidential --grant-type client_credentials",
        "clients create --name 'Key job' --type confidential --grant-type client_credentials --token-endpoint-auth-method private_key_jwt --jwks-file keys.json",
      ],
      details:
        'Public clients (RFC 8252) hold no secret and must use PKCE; confidential clients authenticate with their secret. ' +
        'An app that signs users in (authorization_code) needs a --redirect-uri, an --audience and a --scope; its scopes are ' +
        'OpenID Connect ones (openid, profile, email, offline_access) or ones its APIs define.',
      run: async ({ api, values, output }) => {
        required(values, 'name');
        required(values, 'type');
        const client = await api().post('clients', changes({ ...settings(values), type: oneOf(values, 'type', ['public', 'confidential']) }, 'clients create'));
        if (typeof client.client_secret === 'string') printWithSecret(output, client);
        else printResource(output, client);
      },
    },
    update: {
      summary: 'change a client; a list option replaces the whole list',
      args: ['id'],
      options: SETTINGS,
      examples: [
        'clients update <id> --redirect-uri com.example.ios:/callback --redirect-uri com.example.ios:/callback2',
        'clients update <id> --no-require-consent --logo-uri none',
      ],
      run: async ({ api, args, values, output }) =>
        printResource(output, await api().patch(`clients/${segment(args[0] ?? '')}`, changes(settings(values), 'clients update'))),
    },
    delete: {
      summary: 'delete a client and its client grants',
      args: ['id'],
      run: async ({ api, args, output }) => {
        await api().delete(`clients/${segment(args[0] ?? '')}`);
        if (output.json) output.printJson({ id: args[0], deleted: true });
        else output.print(`Deleted client ${args[0]}.`);
      },
    },
    'rotate-secret': {
      summary: "replace a confidential client's secret (the old one stops working at once)",
      args: ['id'],
      run: async ({ api, args, output }) => printWithSecret(output, await api().post(`clients/${segment(args[0] ?? '')}/rotate-secret`)),
    },
  },
};
