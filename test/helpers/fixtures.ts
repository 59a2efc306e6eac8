/**
 * Fixed values the tests rely on: what scripts/dev-seed.sql and the workers project
 * (vitest.config.ts) set up, and the state of the default authorization request. Plain values:
 * importable from every project.
 */

/** The issuer the workers test project configures (vitest.config.ts). */
export const ISSUER = 'https://auth.example.test';

/** The first-party native app of the dev seed, and its account. */
export const DEMO_REDIRECT = 'com.example.demo:/callback';
/**
 * demo-app's claimed https redirect (Universal Links, App Links): it proves the app's identity, so
 * a single sign-on session approves it without a page (src/oauth/session-confirmation.ts).
 */
export const DEMO_CLAIMED_REDIRECT = 'https://demo.example.com/callback';
export const SIGNED_OUT_URI = 'com.example.demo:/signed-out';
export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password';

/** The Example API's credentials from the dev seed (a confidential client), as HTTP Basic. */
export const DEMO_API_BASIC = `Basic ${btoa('demo-api:demo-api-secret')}`;

/** A third-party app of the dev seed that must ask the user's consent. */
export const PARTNER = { client_id: 'partner-app', redirect_uri: 'com.example.partner:/callback', scope: 'openid read:items' };
/** partner-app's claimed https redirect: after consent, a session approves it without a page. */
export const PARTNER_CLAIMED_REDIRECT = 'https://partner.example.com/callback';

/** What every public client of the dev seed may be redirected to. */
export const REGISTERED_REDIRECTS: Readonly<Record<string, readonly string[]>> = {
  'demo-app': ['com.example.demo:/callback', 'http://127.0.0.1/callback', 'https://demo.example.com/callback'],
  'other-app': ['com.example.other:/callback'],
};

/** The state every default authorization request sends (flow.ts `defaultAuthorization`), and expects back. */
export const DEFAULT_STATE = 'state-123';
export const DEFAULT_NONCE = 'nonce-456';

/** Cheap hashes for users that tests create: the cost under test is configured, not this. */
export const PBKDF2_FAST = { scheme: 'pbkdf2-sha256', iterations: 1000 } as const;
