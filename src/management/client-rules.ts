import type { FieldIssue } from '../errors/api-error';
import { SERVER_SCOPES } from '../oauth/scope';

/**
 * Rules across a client's fields: what the Management API refuses because the client could not
 * work (or would hold what no API grants). Pure, so the rules are tested without storage.
 */

/** A client as it would be stored: the existing row with the update applied, or a new one. */
export interface ClientSettings {
  type: 'public' | 'confidential';
  grantTypes: readonly string[];
  redirectUris: readonly string[];
  scopes: readonly string[];
  audiences: readonly string[];
  /** Null or absent: by the client's type (a secret, or none). */
  tokenEndpointAuthMethod?: string | null | undefined;
  jwks?: unknown;
  jwksUri?: string | null | undefined;
}

/** The body fields the rules read; a rule runs when a field it reads is being set. */
export type RuleField = 'grant_types' | 'redirect_uris' | 'scopes' | 'audiences' | 'token_endpoint_auth_method' | 'jwks' | 'jwks_uri';
export const RULE_FIELDS: readonly RuleField[] = ['grant_types', 'redirect_uris', 'scopes', 'audiences', 'token_endpoint_auth_method', 'jwks', 'jwks_uri'];

/** The scopes of each API among the client's audiences, by identifier; an audience with no API is absent. */
export type ApiScopes = ReadonlyMap<string, readonly string[]>;

interface Rule {
  reads: readonly RuleField[];
  check(client: ClientSettings, apis: ApiScopes): FieldIssue[];
}

const SERVER_LIST = SERVER_SCOPES.join(', ');
const signsUsersIn = (client: ClientSettings) => client.grantTypes.includes('authorization_code');
const issue = (when: boolean, path: string, message: string): FieldIssue[] => (when ? [{ path, message }] : []);

/** RFC 7591 section 2: the method fits the client's type, and keys come with private_key_jwt alone. */
function authMethodIssues(client: ClientSettings): FieldIssue[] {
  const method = client.tokenEndpointAuthMethod;
  const keys = (client.jwks ? 1 : 0) + (client.jwksUri ? 1 : 0);
  if (method === 'private_key_jwt') {
    return [
      ...issue(client.type !== 'confidential', 'token_endpoint_auth_method', 'private_key_jwt needs a confidential client'),
      ...issue(keys !== 1, 'jwks', 'private_key_jwt needs the public keys: jwks or jwks_uri, exactly one'),
    ];
  }
  return [
    ...issue(method === 'none' && client.type !== 'public', 'token_endpoint_auth_method', 'none is for public clients, which hold no secret'),
    ...issue(method?.startsWith('client_secret_') === true && client.type !== 'confidential', 'token_endpoint_auth_method', `${method} needs a confidential client`),
    ...issue(keys > 0, 'jwks', 'jwks and jwks_uri are used only with token_endpoint_auth_method private_key_jwt'),
  ];
}

const RULES: readonly Rule[] = [
  { reads: ['token_endpoint_auth_method', 'jwks', 'jwks_uri'], check: authMethodIssues },
  {
    reads: ['grant_types'],
    check: (client) => [
      ...issue(
        client.type === 'public' && client.grantTypes.includes('client_credentials'),
        'grant_types',
        'client_credentials needs a confidential client (RFC 6749 section 4.4)',
      ),
      ...issue(
        client.grantTypes.includes('refresh_token') && !signsUsersIn(client),
        'grant_types',
        'refresh_token needs authorization_code too: refresh tokens are issued only at sign-in',
      ),
    ],
  },
  {
    reads: ['grant_types', 'redirect_uris'],
    check: (client) =>
      issue(
        signsUsersIn(client) && client.redirectUris.length === 0,
        'redirect_uris',
        'authorization_code needs at least one redirect URI, where the app receives the code (RFC 6749 section 3.1.2): ' +
          "add the app's own, such as com.example.app:/callback, or remove authorization_code from grant_types",
      ),
  },
  {
    reads: ['grant_types', 'audiences'],
    check: (client) =>
      issue(
        signsUsersIn(client) && client.audiences.length === 0,
        'audiences',
        'authorization_code needs at least one audience: the identifier of an API the app signs users in for (every authorization request names one)',
      ),
  },
  {
    reads: ['grant_types', 'scopes'],
    check: (client) =>
      issue(
        signsUsersIn(client) && client.scopes.length === 0,
        'scopes',
        `authorization_code needs at least one scope: openid for an ID token, offline_access for refresh tokens, or a scope its APIs define`,
      ),
  },
  {
    reads: ['audiences'],
    check: (client, apis) =>
      client.audiences.flatMap((audience, index) => issue(!apis.has(audience), `audiences.${index}`, 'no API has this identifier')),
  },
  {
    // Set together with audiences, scopes are checked against the new audiences.
    reads: ['scopes', 'audiences'],
    check: (client, apis) => {
      const known = client.audiences.filter((audience) => apis.has(audience));
      const defined = new Set(known.flatMap((audience) => apis.get(audience) ?? []));
      return client.scopes.flatMap((scope, index) =>
        issue(!SERVER_SCOPES.includes(scope) && !defined.has(scope), `scopes.${index}`, unknownScope(scope, known)),
      );
    },
  },
];

function unknownScope(scope: string, apis: readonly string[]): string {
  if (apis.length === 0) {
    return `${scope} is not an OpenID Connect scope or edge-auth's own (${SERVER_LIST}), and the client has no audience whose API could define it: add the API's identifier to audiences`;
  }
  return `${scope} is defined by none of the client's APIs (${apis.join(', ')}) and is not an OpenID Connect scope or edge-auth's own (${SERVER_LIST}): define it on the API first, or correct it`;
}

/**
 * Every problem of `client`, from the rules that read a field in `changed`: an update that leaves
 * those fields alone is not refused for what was already stored (an API may have dropped a scope since).
 */
export function clientProblems(client: ClientSettings, changed: ReadonlySet<RuleField>, apis: ApiScopes): FieldIssue[] {
  return RULES.filter((rule) => rule.reads.some((field) => changed.has(field))).flatMap((rule) => rule.check(client, apis));
}
