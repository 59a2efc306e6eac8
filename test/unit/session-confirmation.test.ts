/** When a single sign-on session may approve without a page (src/oauth/session-confirmation.ts, RFC 8252 section 8.6). */
import { describe, expect, it } from 'vitest';
import { sessionNeedsConfirmation, type SsoConfirmation } from '../../src/oauth/session-confirmation';

const REDIRECTS = {
  claimedHttps: 'https://app.example.com/callback',
  privateUseScheme: 'com.example.app:/callback',
  loopbackIpv4: 'http://127.0.0.1:51234/callback',
  loopbackIpv6: 'http://[::1]:51234/callback',
};

function needs(type: 'public' | 'confidential', ssoConfirmation: SsoConfirmation, redirect: keyof typeof REDIRECTS): boolean {
  return sessionNeedsConfirmation({ type, ssoConfirmation }, REDIRECTS[redirect]);
}

describe('sessionNeedsConfirmation', () => {
  it('unverified_redirects: a public client is asked unless its redirect is a claimed https one', () => {
    expect(needs('public', 'unverified_redirects', 'claimedHttps')).toBe(false);
    expect(needs('public', 'unverified_redirects', 'privateUseScheme')).toBe(true);
    expect(needs('public', 'unverified_redirects', 'loopbackIpv4')).toBe(true);
    expect(needs('public', 'unverified_redirects', 'loopbackIpv6')).toBe(true);
  });

  it('unverified_redirects: a confidential client is never asked', () => {
    for (const redirect of Object.keys(REDIRECTS) as (keyof typeof REDIRECTS)[]) {
      expect(needs('confidential', 'unverified_redirects', redirect)).toBe(false);
    }
  });

  it('always and never apply whatever the client and redirect', () => {
    for (const type of ['public', 'confidential'] as const) {
      for (const redirect of Object.keys(REDIRECTS) as (keyof typeof REDIRECTS)[]) {
        expect(needs(type, 'always', redirect)).toBe(true);
        expect(needs(type, 'never', redirect)).toBe(false);
      }
    }
  });

  it('an http URI that merely contains https:// is not a claimed redirect', () => {
    expect(sessionNeedsConfirmation({ type: 'public', ssoConfirmation: 'unverified_redirects' }, 'http://127.0.0.1/https://app.example.com')).toBe(true);
  });
});
