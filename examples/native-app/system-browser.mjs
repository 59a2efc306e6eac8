import { spawn } from 'node:child_process';

/**
 * Hands the URL to the user's default browser, as RFC 8252 section 8.12 asks of native apps (an
 * external user agent, never an embedded web view), and does not wait for it.
 * @param {string} url
 * @returns {Promise<Error | undefined>} why the browser could not be started, if it could not
 */
export function openInSystemBrowser(url) {
  const [command, args, options] = browserCommand(url);
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, ...options });
    child.once('error', (error) => resolve(error));
    child.once('spawn', () => {
      child.unref();
      resolve(undefined);
    });
  });
}

/**
 * @param {string} url
 * @returns {[string, string[], import('node:child_process').SpawnOptions]}
 */
function browserCommand(url) {
  switch (process.platform) {
    case 'darwin':
      return ['open', [url], {}];
    case 'win32':
      // `start` is a cmd.exe built-in; the empty title and the quotes keep `&` in the query literal.
      return ['cmd.exe', ['/d', '/s', '/c', `start "" "${url}"`], { windowsVerbatimArguments: true }];
    default:
      return ['xdg-open', [url], {}];
  }
}
