import type { Context } from 'hono';
import { getConfig } from '../config';
import { getSealingKey } from '../crypto/keys';
import { seal, unseal } from '../crypto/seal';
import { asLoginRequest, type LoginRequest } from '../oauth/login-request';
import { clearOurCookie, getOurCookie, setOurCookie } from './cookie-policy';

type AppContext = Context<{ Bindings: Env }>;

const COOKIE = 'edge-auth-login';
const PURPOSE = 'edge-auth/login-request/v1';

export async function setLoginRequestCookie(c: AppContext, request: LoginRequest): Promise<void> {
  const value = await seal(await getSealingKey(c.env), PURPOSE, request);
  setOurCookie(c, COOKIE, value, getConfig(c.env).loginRequestTtlSeconds);
}

/** The browser's pending request, or undefined when it has none, it expired, or the cookie is not ours. */
export async function readLoginRequestCookie(c: AppContext): Promise<LoginRequest | undefined> {
  const value = getOurCookie(c, COOKIE);
  if (!value) return undefined;
  const request = asLoginRequest(await unseal(await getSealingKey(c.env), PURPOSE, value));
  if (!request || request.expiresAt <= Date.now()) return undefined;
  return request;
}

export function clearLoginRequestCookie(c: AppContext): void {
  clearOurCookie(c, COOKIE);
}
