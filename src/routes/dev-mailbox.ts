import type { AppContext } from '../http/context';
import { keptMail } from '../mail/dev-mailbox';
import { devMailboxPage } from '../views/dev-mailbox-page';
import { renderPage } from '../views/page-response';

/**
 * GET /dev/mailbox: under `npm run dev` and in the tests only (config.devMailbox), the account
 * mail sent since the server started, newest first (`?to=` shows one address's); everywhere else
 * the JSON 404 of any unknown path.
 */
export function devMailbox(c: AppContext): Response | Promise<Response> {
  if (!c.var.config.devMailbox) return c.notFound();
  const to = c.req.query('to');
  return renderPage(c, 200, (nonce) => devMailboxPage({ nonce, to, messages: keptMail(to?.trim().toLowerCase()) }));
}
