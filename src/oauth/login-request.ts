import type { AuthorizationRequest } from './authorization-request';
import { isRandomId } from './grant-handle';

/**
 * An authorization request waiting for the user to sign in. It travels sealed in a cookie, so
 * `/authorize` writes no storage; it is usable once because its id names the one code object
 * that may ever be issued for it.
 */
export interface LoginRequest extends AuthorizationRequest {
  /** 128 random bits: names the code's Durable Object and is the login form's CSRF token. */
  id: string;
  clientName: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** prompt=consent: ask even if the user already allowed these scopes. */
  forceConsent: boolean;
  /** Set once the user has signed in and the request waits only for consent. */
  authenticated?: { userId: string; authTime: number } | undefined;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isAuthenticated = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && isString((v as Record<string, unknown>).userId) && typeof (v as Record<string, unknown>).authTime === 'number';
const isOptionalString = (v: unknown): v is string | undefined => v === undefined || isString(v);

/** Checks the shape of an unsealed value: sealing proves who wrote it, not which version of the code did. */
export function asLoginRequest(value: unknown): LoginRequest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const ok =
    isString(v.id) &&
    isRandomId(v.id) &&
    isString(v.clientId) &&
    isString(v.clientName) &&
    isString(v.redirectUri) &&
    isString(v.audience) &&
    isOptionalString(v.state) &&
    isOptionalString(v.codeChallenge) &&
    isOptionalString(v.nonce) &&
    Array.isArray(v.scopes) &&
    v.scopes.every(isString) &&
    typeof v.expiresAt === 'number' &&
    typeof v.forceConsent === 'boolean' &&
    (v.authenticated === undefined || isAuthenticated(v.authenticated));
  return ok ? (v as unknown as LoginRequest) : undefined;
}
