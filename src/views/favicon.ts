/**
 * The server's own mark, a padlock: the browser tab's icon, and the page header's picture when the
 * page belongs to no app (or the app has no logo of its own). Colours are fixed, not the client's
 * accent: it is served once for every client and cached.
 */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="8" fill="#2453d6"/>' +
  '<path d="M11 14.5V11a5 5 0 0 1 10 0v3.5" fill="none" stroke="#fff" stroke-width="2.6"/>' +
  '<rect x="8" y="14" width="16" height="11.5" rx="2.5" fill="#fff"/>' +
  '<circle cx="16" cy="19.75" r="2.1" fill="#2453d6"/>' +
  '</svg>';

/** Where the layout links it; `/favicon.ico` answers the same for browsers that ask without a link. */
export const FAVICON_PATH = '/favicon.svg';
