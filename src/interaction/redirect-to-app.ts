import type { AppContext } from '../http/context';

/** The redirect that carries a code (or the user's refusal) back to the app. */
export function redirectToApp(c: AppContext, location: string, status: 302 | 303): Response {
  c.header('Cache-Control', 'no-store');
  // The Location carries the code: nothing may leak it onward in a Referer.
  c.header('Referrer-Policy', 'no-referrer');
  return c.redirect(location, status);
}
