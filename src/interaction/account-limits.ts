import { sha256Base64url } from '../crypto/hash';
import { normalizeEmail } from '../db/users';
import type { AppContext } from '../http/context';
import { networkKey } from '../oauth/login-throttle';

/**
 * Sign-ups and reset requests send mail, so both are limited per client network
 * (ACCOUNT_NETWORK_LIMIT: 10 a minute) and per address (MAIL_ADDRESS_LIMIT: 3 mails a minute),
 * counted by the platform with no storage call. The per-address count runs whether or not the
 * address has an account, so being refused says nothing about it.
 */
export async function accountMailLimited(c: AppContext, email: string): Promise<boolean> {
  const network = networkKey(c.req.header('CF-Connecting-IP') ?? 'unknown');
  if (!(await c.env.ACCOUNT_NETWORK_LIMIT.limit({ key: network })).success) return true;
  const address = await sha256Base64url(normalizeEmail(email));
  return !(await c.env.MAIL_ADDRESS_LIMIT.limit({ key: address })).success;
}
