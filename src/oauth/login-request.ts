import * as v from 'valibot';
import { localizedPageRefusal } from '../errors/oauth-error';
import { LOCALES, type Locale } from '../i18n/messages';
import type { AuthorizationRequest } from './authorization-request';
import { isRandomId } from './grant-handle';

/**
 * An authorization request waiting for the user to sign in (and perhaps consent). It travels
 * sealed in a cookie, so `/authorize` writes no storage; it is usable once because its id names
 * the one code object that may ever be issued for it.
 */
export interface LoginRequest extends AuthorizationRequest {
  /** 128 random bits: names the code's Durable Object and is the login form's CSRF token. */
  id: string;
  clientName: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** prompt=consent: ask even if the user already allowed these scopes. */
  forceConsent: boolean;
  /**
   * The browser had a single sign-on session that may approve this request once the user confirms
   * it (src/oauth/session-confirmation.ts), within the app's `max_age` (seconds).
   */
  confirmSession?: { maxAge?: number | undefined } | undefined;
  /** Set once the user has signed in and the request waits only for consent. */
  authenticated?: SignedInUser | undefined;
  /** `acr_values` asked for the multi-factor level (src/oauth/authentication-methods.ts). */
  requireMfa?: boolean | undefined;
  /** The first factor was given; the request waits for the second (src/routes/second-factor.ts). */
  secondFactor?: PendingSecondFactor | undefined;
  /** The pages' language, chosen once at /authorize (src/i18n/negotiate.ts) and kept for the flow. */
  locale?: Locale | undefined;
  /** The app named `locale` (ui_locales): the person's saved language does not replace it after sign-in. */
  localeRequested?: boolean | undefined;
}

/** Who approved a request, and when they authenticated (seconds: OIDC `auth_time`). */
export interface SignedInUser {
  userId: string;
  authTime: number;
  /** How (RFC 8176); a password when not given. */
  amr?: string[] | undefined;
}

/**
 * A first factor that opened no session yet: the user must give a code (`challenge`) or enrol an
 * authenticator app (`enrol`, with the secret shown on the page). `replacesSession` is the single
 * sign-on session being stepped up, ended when the new one opens.
 */
export interface PendingSecondFactor {
  userId: string;
  amr: string[];
  step: 'challenge' | 'enrol';
  replacesSession?: string | undefined;
  enrolSecret?: string | undefined;
}

const optionalString = v.optional(v.string());

/** Sealing proves who wrote a value, not which version of the code did: its shape is checked too. */
const LoginRequestSchema = v.object({
  id: v.pipe(v.string(), v.check(isRandomId)),
  clientId: v.string(),
  clientName: v.string(),
  redirectUri: v.string(),
  audience: v.string(),
  state: optionalString,
  codeChallenge: optionalString,
  nonce: optionalString,
  dpopJkt: optionalString,
  scopes: v.array(v.string()),
  expiresAt: v.number(),
  forceConsent: v.boolean(),
  confirmSession: v.optional(v.object({ maxAge: v.optional(v.number()) })),
  authenticated: v.optional(v.object({ userId: v.string(), authTime: v.number(), amr: v.optional(v.array(v.string())) })),
  requireMfa: v.optional(v.boolean()),
  secondFactor: v.optional(
    v.object({
      userId: v.string(),
      amr: v.array(v.string()),
      step: v.picklist(['challenge', 'enrol']),
      replacesSession: optionalString,
      enrolSecret: optionalString,
    }),
  ),
  locale: v.optional(v.picklist(LOCALES)),
  localeRequested: v.optional(v.boolean()),
});

export function asLoginRequest(value: unknown): LoginRequest | undefined {
  const parsed = v.safeParse(LoginRequestSchema, value);
  if (!parsed.success) return undefined;
  const { state, codeChallenge, nonce, dpopJkt } = parsed.output;
  return { ...parsed.output, state, codeChallenge, nonce, dpopJkt };
}

/** The pending request is gone: expired, already used, or never ours. Shown to the person, never redirected. */
export const pendingRequestGone = () => localizedPageRefusal({ title: 'sessionExpiredTitle', description: 'sessionExpired' });
