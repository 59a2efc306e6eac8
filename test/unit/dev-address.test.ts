import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DevAddressError, devAddress, edgeAuthUrlPrefix } from '../../scripts/dev-address.mjs';
import { demoSignInLink, devBanner } from '../../scripts/dev-banner.mjs';

const DEV_SEED = readFileSync(fileURLToPath(new URL('../../scripts/dev-seed.sql', import.meta.url).href), 'utf8');

describe('npm run dev: where it serves (EDGE_AUTH_URL, PORT)', () => {
  it('serves http://127.0.0.1:8787 by default, PORT on 127.0.0.1, or EDGE_AUTH_URL', () => {
    expect(devAddress({})).toEqual({ url: 'http://127.0.0.1:8787', ip: '127.0.0.1', port: 8787 });
    expect(devAddress({ PORT: '8799' })).toEqual({ url: 'http://127.0.0.1:8799', ip: '127.0.0.1', port: 8799 });
    expect(devAddress({ EDGE_AUTH_URL: 'http://127.0.0.1:8799/' })).toEqual({ url: 'http://127.0.0.1:8799', ip: '127.0.0.1', port: 8799 });
    expect(devAddress({ EDGE_AUTH_URL: 'http://[::1]:8799' })).toEqual({ url: 'http://[::1]:8799', ip: '::1', port: 8799 });
    expect(devAddress({ EDGE_AUTH_URL: 'http://127.0.0.2:8799', PORT: '8799' }).url).toBe('http://127.0.0.2:8799');
    // Empty variables count as unset, as a shell's `PORT= npm run dev` means.
    expect(devAddress({ EDGE_AUTH_URL: '', PORT: ' ' }).url).toBe('http://127.0.0.1:8787');
  });

  it('refuses what wrangler dev cannot serve as the issuer, saying what to set instead', () => {
    const refusal = (env: Record<string, string>) => {
      try {
        devAddress(env);
      } catch (error) {
        expect(error).toBeInstanceOf(DevAddressError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(env)}`);
    };
    // A name is accepted only for this machine: passkeys need one (an IP address cannot be an RP ID).
    expect(devAddress({ EDGE_AUTH_URL: 'http://localhost:8799' })).toEqual({ url: 'http://localhost:8799', ip: '127.0.0.1', port: 8799 });
    expect(refusal({ EDGE_AUTH_URL: 'http://localhost.example.com:8799' })).toContain('must be a loopback address');
    expect(refusal({ EDGE_AUTH_URL: 'http://0.0.0.0:8799' })).toContain('must be a loopback address such as http://127.0.0.1:8788');
    expect(refusal({ EDGE_AUTH_URL: 'https://127.0.0.1:8799' })).toContain('npm run dev serves plain http');
    expect(refusal({ EDGE_AUTH_URL: 'https://auth.example.com' })).toContain('npm run dev serves plain http');
    expect(refusal({ EDGE_AUTH_URL: '127.0.0.1:8799' })).toContain('EDGE_AUTH_URL must be a URL');
    expect(refusal({ EDGE_AUTH_URL: 'http://127.0.0.1:8799/auth' })).toContain("the server's origin alone, such as http://127.0.0.1:8799");
    expect(refusal({ EDGE_AUTH_URL: 'http://127.0.0.1:0' })).toContain('needs a real port');
    expect(refusal({ EDGE_AUTH_URL: 'http://127.0.0.1:8799', PORT: '8788' })).toBe(
      'EDGE_AUTH_URL (http://127.0.0.1:8799) and PORT (8788) disagree: set only one of them.',
    );
    for (const port of ['abc', '0', '65536', '-1', '80.5']) {
      expect(refusal({ PORT: port }), port).toContain('PORT must be a TCP port number from 1 to 65535');
    }
  });

  it('names EDGE_AUTH_URL in commands only when it is not the default', () => {
    expect(edgeAuthUrlPrefix('http://127.0.0.1:8787')).toBe('');
    expect(edgeAuthUrlPrefix('http://127.0.0.1:8799')).toBe('EDGE_AUTH_URL=http://127.0.0.1:8799 ');
  });
});

describe('npm run dev: the banner', () => {
  it("gives a sign-in link whose S256 challenge is the printed verifier's", () => {
    const link = demoSignInLink('http://127.0.0.1:8799');
    const url = new URL(link.url);
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:8799/authorize');
    expect(url.searchParams.get('code_challenge')).toBe(createHash('sha256').update(link.codeVerifier).digest('base64url'));
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ client_id: 'demo-app', redirect_uri: 'http://127.0.0.1/callback', code_challenge_method: 'S256' });
    expect(demoSignInLink('http://127.0.0.1:8799').codeVerifier).not.toBe(link.codeVerifier);

    const banner = devBanner('http://127.0.0.1:8799', link);
    expect(banner).toContain(link.url);
    expect(banner).toContain(`-d code_verifier=${link.codeVerifier} -d code=CODE`);
  });

  it('prefixes the next commands with EDGE_AUTH_URL when the address is not the default', () => {
    const link = { url: 'http://127.0.0.1:8799/authorize?x', codeVerifier: 'v' };
    expect(devBanner('http://127.0.0.1:8799', link)).toContain('    EDGE_AUTH_URL=http://127.0.0.1:8799 npm run admin -- clients list\n');
    expect(devBanner('http://127.0.0.1:8799', link)).toContain('    EDGE_AUTH_URL=http://127.0.0.1:8799 node examples/native-app/sign-in.mjs --open\n');
    expect(devBanner('http://127.0.0.1:8787', link)).toContain('    npm run admin -- clients list\n');
  });

  it('lists accounts that scripts/dev-seed.sql really creates', () => {
    const banner = devBanner('http://127.0.0.1:8787', { url: 'http://127.0.0.1:8787/authorize', codeVerifier: 'v' });
    for (const client of ['demo-app', 'other-app', 'partner-app', 'demo-api', 'dev-admin']) {
      expect(banner).toContain(client);
      expect(DEV_SEED).toContain(`('${client}', `);
    }
    // The seed stores the secrets' and password's hashes; its comments name the values the banner shows.
    for (const value of ['demo-api-secret', 'dev-admin-secret', 'demo-password', 'demo@example.com']) {
      expect(banner).toContain(value);
      expect(DEV_SEED).toContain(value);
    }
  });
});
