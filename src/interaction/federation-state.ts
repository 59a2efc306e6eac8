import { seal, unseal } from '../crypto/seal';
import type { AppContext } from '../http/context';
import type { UpstreamAttempt } from '../http/upstream-sign-in';
import { getSealingKey } from '../tokens/key-cache';
import { clearOurCookie, getOurCookie, setOurCookie } from './cookie-policy';

/**
 * An upstream sign-in in progress, sealed (AES-GCM) into an HttpOnly SameSite=Lax cookie of its
 * own: the state, nonce and PKCE verifier never leave the browser in clear, and they are bound to
 * the pending authorization request by its id. Lax is enough even for form_post: the callback's
 * cross-site POST reads no cookie, and answers with a 303 to our own GET, a top-level navigation
 * that carries Lax cookies (src/routes/federation-callback.ts).
 */
export interface FederationState extends UpstreamAttempt {
  connection: string;
  requestId: string;
  expiresAt: number;
}

/** A verified upstream identity whose email has an account: the person must sign in to link it. */
export interface PendingLink {
  connectionId: string;
  connection: string;
  subject: string;
  email: string;
  userId: string;
  requestId: string;
  expiresAt: number;
}

const STATE_COOKIE = 'edge-auth-federation';
const STATE_PURPOSE = 'edge-auth/federation-state/v1';
const LINK_COOKIE = 'edge-auth-link';
const LINK_PURPOSE = 'edge-auth/federation-link/v1';
/** Long enough to sign in at the upstream, short enough that a copied cookie soon means nothing. */
export const FEDERATION_TTL_SECONDS = 600;

async function setSealed(c: AppContext, name: string, purpose: string, value: { expiresAt: number }): Promise<void> {
  setOurCookie(c, name, await seal(await getSealingKey(c.env), purpose, value), Math.ceil((value.expiresAt - Date.now()) / 1000));
}

async function readSealed<T extends { expiresAt: number }>(c: AppContext, name: string, purpose: string, valid: (value: unknown) => boolean): Promise<T | undefined> {
  const raw = getOurCookie(c, name);
  if (!raw) return undefined;
  const value = await unseal(await getSealingKey(c.env), purpose, raw);
  return valid(value) && (value as T).expiresAt > Date.now() ? (value as T) : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export const setFederationState = (c: AppContext, state: FederationState) => setSealed(c, STATE_COOKIE, STATE_PURPOSE, state);
export const readFederationState = (c: AppContext) =>
  readSealed<FederationState>(c, STATE_COOKIE, STATE_PURPOSE, (v) => isRecord(v) && typeof v.state === 'string' && typeof v.connection === 'string');
export const clearFederationState = (c: AppContext) => clearOurCookie(c, STATE_COOKIE);

export const setPendingLink = (c: AppContext, link: PendingLink) => setSealed(c, LINK_COOKIE, LINK_PURPOSE, link);
export const readPendingLink = (c: AppContext) =>
  readSealed<PendingLink>(c, LINK_COOKIE, LINK_PURPOSE, (v) => isRecord(v) && typeof v.userId === 'string' && typeof v.subject === 'string');
export const clearPendingLink = (c: AppContext) => clearOurCookie(c, LINK_COOKIE);
