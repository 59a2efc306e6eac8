import { localizedPageRefusal } from '../errors/oauth-error';
import type { AppContext } from '../http/context';

/**
 * A cross-site form post carries a foreign Origin. Pages sent with `Referrer-Policy: no-referrer`
 * make browsers post `Origin: null`, so `null` and a missing Origin are left to the other checks:
 * the SameSite cookie and the request id that only our page knows.
 */
export function checkFormOrigin(c: AppContext): void {
  const origin = c.req.header('Origin');
  if (origin === undefined || origin === 'null') return;
  if (origin !== new URL(c.var.config.issuer).origin) {
    throw localizedPageRefusal({ title: 'signInRefused', description: 'foreignForm' }, 403);
  }
}
