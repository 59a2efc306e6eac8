import type { Config } from '../config';
import { sha256 } from '../crypto/hash';
import { timingSafeEqual } from '../crypto/timing-safe';
import { OAuthError } from '../errors/oauth-error';
import { networkKey } from '../oauth/login-throttle';
import { bearerError } from './bearer-token';
import type { AppContext } from './context';

/**
 * Who may call POST /register (RFC 7591 section 3), per CLIENT_REGISTRATION. `open` without its
 * rate-limit binding stays closed: registration open to anyone is never unlimited.
 */
export function registrationEnabled(env: Env, config: Config): boolean {
  switch (config.clientRegistration) {
    case 'off':
      return false;
    case 'token':
      return true;
    case 'open':
      return (env as Partial<Env>).REGISTRATION_NETWORK_LIMIT !== undefined;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/** The Bearer token of the request (RFC 6750 section 2.1), or a 401 that asks for one. */
export function presentedBearerToken(c: AppContext): string {
  const header = c.req.header('Authorization');
  if (!header) {
    throw new OAuthError('invalid_token', 'A Bearer token is required.', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="edge-auth"' } });
  }
  const match = BEARER.exec(header.trim());
  if (!match) throw bearerError('invalid_token', 'The Authorization header must be a Bearer token.');
  return match[1]!;
}

/** Equal lengths for the constant-time compare: both sides hashed first. */
async function sameSecret(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(presented), sha256(expected)]);
  return timingSafeEqual(a, b);
}

/**
 * Lets a registration through, or refuses it: the policy, then the initial access token
 * (`token`, RFC 7591 section 3) or the per-network limit (`open`: no storage, the platform counts).
 * `disabled`: the endpoint does not exist on this deployment.
 */
export async function admitRegistration(c: AppContext): Promise<'admitted' | 'disabled'> {
  const { config } = c.var;
  if (!registrationEnabled(c.env, config)) return 'disabled';
  if (config.clientRegistration === 'token') {
    if (!(await sameSecret(presentedBearerToken(c), config.clientRegistrationToken!))) {
      throw bearerError('invalid_token', 'The initial access token is not valid.');
    }
    return 'admitted';
  }
  const network = networkKey(c.req.header('CF-Connecting-IP') ?? 'unknown');
  if (!(await c.env.REGISTRATION_NETWORK_LIMIT.limit({ key: network })).success) {
    throw new OAuthError('temporarily_unavailable', 'Too many client registrations from this network; try again in a minute.', {
      status: 429,
      headers: { 'Retry-After': '60' },
    });
  }
  return 'admitted';
}
