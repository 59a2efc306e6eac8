import { createServer } from 'node:http';
import { SignInError } from './errors.mjs';

/**
 * What the browser shows once it has handed the authorization response back. The app has not yet
 * checked the response, so the page promises nothing beyond that; the terminal has the result.
 */
const DONE_PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Back to the app</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}</style>
<h1>You can close this tab</h1>
<p>The sign-in response went back to the app. The terminal shows the result.</p>
</html>
`;

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'Referrer-Policy': 'no-referrer',
  Connection: 'close',
};

/**
 * @typedef {object} LoopbackRedirect
 * @property {string} redirectUri  `http://127.0.0.1:<port>/callback`
 * @property {(timeoutMs: number) => Promise<URL>} receive  the URL the browser was sent back to
 * @property {() => Promise<void>} close
 */

/**
 * The app's side of RFC 8252 section 7.3: an HTTP listener on an ephemeral port of the loopback
 * interface, for the one redirect that carries the authorization response. It binds the IP literal
 * 127.0.0.1, never `localhost`, which could resolve elsewhere or to another interface (section 8.3).
 * On a phone the same role is played by the claimed custom scheme (`com.example.demo:/callback`)
 * that ASWebAuthenticationSession or the Custom Tab hands back to the app.
 * @returns {Promise<LoopbackRedirect>}
 */
export async function listenForRedirect() {
  /** @type {(url: URL) => void} */
  let deliver = () => undefined;
  /** @type {Promise<URL>} */
  const received = new Promise((resolve) => (deliver = resolve));
  let done = false;

  const server = createServer((request, response) => {
    // Resolved against our own redirect URI, not the Host header the browser sent.
    const url = new URL(request.url ?? '/', redirectUri);
    if (done || request.method !== 'GET' || url.pathname !== '/callback') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end('Not found\n');
      return;
    }
    done = true;
    // Delivered once the page is written, so closing the listener cannot cut the browser off.
    response.once('finish', () => deliver(url));
    response.writeHead(200, PAGE_HEADERS).end(DONE_PAGE);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the loopback listener has no TCP port');
  const redirectUri = `http://127.0.0.1:${address.port}/callback`;

  return {
    redirectUri,
    async receive(timeoutMs) {
      /** @type {NodeJS.Timeout | undefined} */
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => {
          const seconds = timeoutMs / 1000;
          reject(
            new SignInError(
              'redirect',
              'timeout',
              `redirect failed: the browser did not come back to ${redirectUri} within ${seconds} s. ` +
                'Open the printed URL, sign in, and let the browser follow the redirect (or give a longer --timeout).',
            ),
          );
        }, timeoutMs);
      });
      try {
        return await Promise.race([received, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
