import { sql } from 'drizzle-orm';
import { SIGNING_ALGS } from '../crypto/jwt';
import type { Locale } from '../i18n/messages';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../oauth/client-assertion';
import { SSO_CONFIRMATION } from '../oauth/session-confirmation';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Lists are stored as JSON text: D1 is SQLite, and these lists are short and read whole. */
const jsonList = (name: string) => text(name, { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`);
const createdAt = () => integer('created_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch('subsec') * 1000)`);
const updatedAt = () => integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch('subsec') * 1000)`);

/** How a client came to be: an operator, RFC 7591 registration, or (never stored) its Client ID Metadata Document. */
export const CLIENT_REGISTRATION_SOURCES = ['management', 'dynamic', 'metadata_document'] as const;

/** OAuth clients (RFC 6749 section 2). */
export const clients = sqliteTable(
  'clients',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    type: text('type', { enum: ['public', 'confidential'] }).notNull(),
    /** SHA-256 of the secret (base64url) for confidential clients; secrets are high-entropy, so a fast hash is enough. */
    secretHash: text('secret_hash'),
    redirectUris: jsonList('redirect_uris'),
    grantTypes: jsonList('grant_types'),
    /** Scopes the client may ask for, across all APIs, including OpenID Connect scopes. */
    scopes: jsonList('scopes'),
    /** API identifiers (`audience` values) the client may get tokens for. */
    audiences: jsonList('audiences'),
    /** Where RP-initiated logout may return to (OIDC RP-Initiated Logout 1.0 section 3). */
    postLogoutRedirectUris: jsonList('post_logout_redirect_uris'),
    /** Overrides the API's access-token lifetime for this client when set. */
    accessTokenTtlSeconds: integer('access_token_ttl_seconds'),
    /** A refresh-token family ends this long after the sign-in, however often it is used. */
    refreshTokenAbsoluteTtlSeconds: integer('refresh_token_absolute_ttl_seconds').notNull().default(30 * 86_400),
    /** A refresh token unused for this long expires. */
    refreshTokenIdleTtlSeconds: integer('refresh_token_idle_ttl_seconds').notNull().default(14 * 86_400),
    /**
     * For flaky mobile networks: for this long after a rotation the previous refresh token still
     * works once more. 0 (the default) treats any second use as reuse.
     */
    refreshTokenReuseLeewaySeconds: integer('refresh_token_reuse_leeway_seconds').notNull().default(0),
    /** Third-party apps ask the user's consent before they get a code; first-party apps need not. */
    requireConsent: integer('require_consent', { mode: 'boolean' }).notNull().default(false),
    /**
     * When a single sign-on session may approve without a page (src/oauth/session-confirmation.ts).
     * Checked by the Management API, not by a CHECK constraint: adding one would make drizzle-kit
     * rebuild the table, which D1 cannot do safely under the foreign keys that point at it.
     */
    ssoConfirmation: text('sso_confirmation', { enum: SSO_CONFIRMATION }).notNull().default('unverified_redirects'),
    /**
     * RFC 9126 section 5: /authorize takes this client's requests only by reference, from POST /par
     * (`require_pushed_authorization_requests`).
     */
    requirePushedAuthorizationRequests: integer('require_pushed_authorization_requests', { mode: 'boolean' }).notNull().default(false),
    /**
     * RFC 9449 section 5.2: every token request of this client must carry a DPoP proof, so all its
     * access tokens are DPoP-bound. Without it DPoP is optional, per request.
     */
    dpopBoundAccessTokens: integer('dpop_bound_access_tokens', { mode: 'boolean' }).notNull().default(false),
    /** People may create their own account from this client's login page (src/routes/signup.ts). */
    allowSignup: integer('allow_signup', { mode: 'boolean' }).notNull().default(false),
    /** A user whose address is not confirmed gets the "check your inbox" page, not a code (src/routes/verify-email.ts). */
    requireVerifiedEmail: integer('require_verified_email', { mode: 'boolean' }).notNull().default(false),
    /** The pages' language when neither the app (ui_locales) nor the browser names a supported one. */
    defaultLocale: text('default_locale').$type<Locale>(),
    /** Users signing in to this client need a second factor (src/oauth/second-factor.ts); the ID token's `acr` says so. */
    requireMfa: integer('require_mfa', { mode: 'boolean' }).notNull().default(false),
    /**
     * How the client authenticates at the token, revocation, introspection and PAR endpoints
     * (RFC 7591 section 2). Null: as before this column, by its type (a public client with none, a
     * confidential one with its secret, Basic or in the body). Checked by the Management API.
     */
    tokenEndpointAuthMethod: text('token_endpoint_auth_method', { enum: TOKEN_ENDPOINT_AUTH_METHODS }),
    /** `private_key_jwt` (RFC 7523): the client's public keys, inline (a JWK set) or at an https URL. */
    jwks: text('jwks', { mode: 'json' }).$type<{ keys: Record<string, unknown>[] }>(),
    jwksUri: text('jwks_uri'),
    /**
     * The client's native apps, for passkeys with edge-auth's RP ID: iOS apps as `TEAMID.bundle.id`
     * (served in /.well-known/apple-app-site-association, `webcredentials`), Android packages with
     * their signing certificates' SHA-256 fingerprints (/.well-known/assetlinks.json).
     */
    iosAppIds: jsonList('ios_app_ids'),
    androidPackages: text('android_packages', { mode: 'json' })
      .$type<{ package_name: string; sha256_cert_fingerprints: string[] }[]>()
      .notNull()
      .default(sql`'[]'`),
    /** Branding on the login and consent pages: an https image URL and a `#rrggbb` accent colour. */
    logoUri: text('logo_uri'),
    primaryColor: text('primary_color'),
    /**
     * How the client came to be: by an operator (the Management API, the seed) or by dynamic
     * registration (RFC 7591, src/routes/registration.ts). A dynamic client is unverified, and
     * expires when unused for REGISTERED_CLIENT_IDLE_DAYS. No CHECK constraint (see ssoConfirmation).
     */
    registration: text('registration', { enum: CLIENT_REGISTRATION_SOURCES }).notNull().default('management'),
    /** When a dynamic client last redeemed a code or refreshed: recorded at most once a day (src/db/client-use.ts). */
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    /** SHA-256 (base64url) of the RFC 7592 registration access token of a dynamic client. */
    registrationTokenHash: text('registration_token_hash'),
    /** The upstream connections (by name) whose buttons the login page offers (src/routes/federation.ts). */
    connections: jsonList('connections'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('clients_type', sql`${t.type} in ('public', 'confidential')`),
    check('clients_secret', sql`(${t.type} = 'public') = (${t.secretHash} is null)`),
  ],
);

/** Resource servers: Auth0's "APIs". */
export const apis = sqliteTable(
  'apis',
  {
    id: text('id').primaryKey(),
    /** The `audience` value, and the `aud` claim of its access tokens. */
    identifier: text('identifier').notNull().unique(),
    name: text('name').notNull(),
    scopes: jsonList('scopes'),
    /** What each scope lets an app do, in words for the consent page: `{ "read:items": "Read your items" }`. */
    scopeDescriptions: text('scope_descriptions', { mode: 'json' }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    accessTokenTtlSeconds: integer('access_token_ttl_seconds'),
    signingAlg: text('signing_alg', { enum: SIGNING_ALGS }).notNull().default('ES256'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [check('apis_signing_alg', sql`${t.signingAlg} in ('ES256', 'RS256')`)],
);

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  /** Stored normalised (trimmed, lower case), so uniqueness is case-insensitive. */
  email: text('email').notNull().unique(),
  /** Self-describing: `pbkdf2-sha256$<iterations>$<salt>$<hash>`, so the scheme can be upgraded later. */
  passwordHash: text('password_hash').notNull(),
  /** OIDC `name` (profile scope). */
  name: text('name'),
  emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
  /** A blocked user cannot sign in, resume a session or refresh tokens. */
  blocked: integer('blocked', { mode: 'boolean' }).notNull().default(false),
  /** The language the person chose (account page) or signed up in: their pages after sign-in, and their mails. */
  locale: text('locale').$type<Locale>(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Which scopes of which API a client may get for itself (client credentials, RFC 6749 section 4.4). */
export const clientGrants = sqliteTable(
  'client_grants',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    audience: text('audience')
      .notNull()
      .references(() => apis.identifier, { onDelete: 'cascade', onUpdate: 'cascade' }),
    scopes: jsonList('scopes'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('client_grants_client_audience').on(t.clientId, t.audience)],
);

/**
 * Client-credentials access tokens revoked before they expire (RFC 7009): they have no grant in a
 * user's object, so their `jti` is remembered here until the token expires (the cron deletes it).
 */
export const revokedTokens = sqliteTable('revoked_tokens', {
  jti: text('jti').primaryKey(),
  clientId: text('client_id').notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * The `jti` of each client assertion (RFC 7523 section 3, item 7) until the assertion expires: a
 * second use is refused. The insert decides, so two concurrent uses cannot both pass; the cron
 * deletes expired rows.
 */
export const clientAssertionJtis = sqliteTable(
  'client_assertion_jtis',
  {
    clientId: text('client_id').notNull(),
    jti: text('jti').notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.jti] })],
);

/**
 * Which user a passkey belongs to, so a discoverable sign-in (no email typed) finds the user's
 * object from the credential id alone; the credential itself (public key, counter, flags, name)
 * lives in the user's Durable Object. The primary key also keeps a credential on one account.
 * Deleting the user deletes the rows.
 */
export const passkeyCredentials = sqliteTable(
  'passkey_credentials',
  {
    credentialId: text('credential_id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('passkey_credentials_user').on(t.userId)],
);

/** What happened, for operators: never a secret, code, verifier, token or password. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    event: text('event').notNull(),
    /** Who did it: `client:<id>` for management calls, `user:<id>` for sign-ins, `system` for the cron. */
    actor: text('actor'),
    clientId: text('client_id'),
    userId: text('user_id'),
    grantId: text('grant_id'),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_events_at').on(t.at), index('audit_events_event_at').on(t.event, t.at)],
);

/** The upstream identity providers' kinds: any OpenID provider, three presets, GitHub's plain OAuth 2.0. */
export const CONNECTION_TYPES = ['oidc', 'google', 'apple', 'github'] as const;

/**
 * Upstream identity providers edge-auth signs people in with (issue 17). Secrets are never stored
 * in clear: sealed with CONNECTION_SECRETS_KEY (a wrangler secret), or named as a wrangler secret.
 */
export const connections = sqliteTable('connections', {
  id: text('id').primaryKey(),
  /** The stable name in URLs and client settings: `google`, `corp-okta`. */
  name: text('name').notNull().unique(),
  type: text('type', { enum: CONNECTION_TYPES }).notNull(),
  /** What the button says after "Continue with". */
  displayName: text('display_name').notNull(),
  /** The OpenID issuer whose discovery document describes the upstream; null for GitHub. */
  issuer: text('issuer'),
  clientId: text('client_id').notNull(),
  /** The client secret (or Apple's private key, PKCS#8 PEM), AES-GCM sealed with CONNECTION_SECRETS_KEY. */
  secretSealed: text('secret_sealed'),
  /** Or: the name of a wrangler secret that holds it. */
  secretRef: text('secret_ref'),
  /** Apple: the team id and the key id of the signing key the client secret JWT is made with. */
  appleTeamId: text('apple_team_id'),
  appleKeyId: text('apple_key_id'),
  scopes: jsonList('scopes'),
  /** `form_post` (Apple's, OAuth 2.0 Form Post Response Mode): the upstream POSTs its answer back. Null: the query. */
  responseMode: text('response_mode', { enum: ['query', 'form_post'] }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** A user's identity at an upstream: the connection and its `sub` sign the user in. */
export const userIdentities = sqliteTable(
  'user_identities',
  {
    connectionId: text('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    subject: text('subject').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** What the upstream said at the last sign-in, for the account page and the Management API. */
    email: text('email'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.subject] }), index('user_identities_user').on(t.userId)],
);

export type ConnectionRow = typeof connections.$inferSelect;
export type UserIdentityRow = typeof userIdentities.$inferSelect;
export type ClientRow = typeof clients.$inferSelect;
export type ApiRow = typeof apis.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type ClientGrantRow = typeof clientGrants.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;
