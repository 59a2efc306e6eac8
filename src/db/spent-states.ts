import { rememberAssertionJti } from './client-assertion-jtis';

/**
 * Makes an upstream sign-in's `state` single-use: remembered until it expires in the table that
 * remembers client assertions' `jti` (the same primary-key insert, under a namespace no client id
 * can have, since client ids never contain a space), and the cron deletes it after. One D1 write;
 * false when it was used already.
 */
export function spendUpstreamState(env: Env, stateHash: string, expiresAt: Date): Promise<boolean> {
  return rememberAssertionJti(env, 'upstream state', stateHash, expiresAt);
}
