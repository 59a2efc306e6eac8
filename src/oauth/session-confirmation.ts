/**
 * RFC 8252 section 8.6: a native app's identity is assured only by a claimed `https` redirect
 * (Universal Links, App Links). Any app on the device can listen on a loopback port or claim a
 * private-use scheme, start its own request as a public client and receive the code, PKCE or not,
 * so a single sign-on session must not approve such a request without the user seeing it.
 */
export const SSO_CONFIRMATION = ['unverified_redirects', 'always', 'never'] as const;
export type SsoConfirmation = (typeof SSO_CONFIRMATION)[number];

/** Whether a live session may approve this request only after the user confirms it on a page. */
export function sessionNeedsConfirmation(
  client: { type: 'public' | 'confidential'; ssoConfirmation: SsoConfirmation },
  redirectUri: string,
): boolean {
  switch (client.ssoConfirmation) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'unverified_redirects':
      // A confidential client's code is useless without its secret, wherever it lands.
      return client.type === 'public' && !redirectUri.startsWith('https://');
  }
}
