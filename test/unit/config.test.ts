import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';

describe('configuration', () => {
  it('takes the issuer from configuration and refuses a bad one', () => {
    expect(parseConfig({ ISSUER: 'https://auth.example.com/' }).issuer).toBe('https://auth.example.com');
    expect(parseConfig({ ISSUER: 'https://auth.example.com' }).secureCookies).toBe(true);
    expect(parseConfig({ ISSUER: 'http://127.0.0.1:8787' }).secureCookies).toBe(false);
    for (const issuer of [undefined, '', 'not a url', 'ftp://a.example', 'https://a.example/?x=1', 'https://a.example/#f']) {
      expect(() => parseConfig({ ISSUER: issuer })).toThrow(ConfigError);
    }
  });

  it('knows a developer machine by its loopback issuer, and nothing else', () => {
    for (const issuer of ['http://127.0.0.1:8787', 'http://127.0.0.2', 'http://localhost:8787', 'http://[::1]:8787']) {
      expect(parseConfig({ ISSUER: issuer }).development, issuer).toBe(true);
    }
    for (const issuer of ['https://auth.example.com', 'https://127.0.0.1.example.com', 'http://10.0.0.1', 'https://localhost.example']) {
      expect(parseConfig({ ISSUER: issuer }).development, issuer).toBe(false);
    }
  });

  it('keeps mail on the dev mailbox only for DEV_MAILBOX=true on an issuer no deployment can have', () => {
    const devMailbox = (vars: Record<string, string>) => parseConfig(vars).devMailbox;
    expect(devMailbox({ ISSUER: 'http://127.0.0.1:8787', DEV_MAILBOX: 'true' })).toBe(true);
    expect(devMailbox({ ISSUER: 'https://auth.example.test', DEV_MAILBOX: 'true' })).toBe(true);
    expect(devMailbox({ ISSUER: 'http://127.0.0.1:8787' })).toBe(false);
    for (const issuer of ['https://auth.example.com', 'https://auth.example.test.example.com', 'https://127.0.0.1:8787']) {
      expect(devMailbox({ ISSUER: issuer, DEV_MAILBOX: 'true' }), issuer).toBe(false);
    }
    expect(() => parseConfig({ ISSUER: 'http://127.0.0.1:8787', DEV_MAILBOX: 'yes' })).toThrow(ConfigError);
  });

  it('keeps dynamic client registration off unless asked, and token without a strong secret off too', () => {
    const base = { ISSUER: 'https://a.example' };
    expect(parseConfig(base)).toMatchObject({ clientRegistration: 'off', registeredClientIdleDays: 30, registeredClientAudiences: undefined });
    expect(parseConfig({ ...base, CLIENT_REGISTRATION: 'open' }).clientRegistration).toBe('open');
    const secret = 'x'.repeat(32);
    expect(parseConfig({ ...base, CLIENT_REGISTRATION: 'token', CLIENT_REGISTRATION_TOKEN: secret })).toMatchObject({ clientRegistration: 'token', clientRegistrationToken: secret });
    expect(parseConfig({ ...base, CLIENT_REGISTRATION: 'token', CLIENT_REGISTRATION_TOKEN: secret.slice(1) }).clientRegistration).toBe('off');
    expect(parseConfig({ ...base, CLIENT_REGISTRATION: 'token' }).clientRegistration).toBe('off');
    expect(parseConfig({ ...base, REGISTERED_CLIENT_AUDIENCES: ' https://a.example/api, https://b.example ', REGISTERED_CLIENT_IDLE_DAYS: '7' })).toMatchObject({
      registeredClientAudiences: ['https://a.example/api', 'https://b.example'],
      registeredClientIdleDays: 7,
    });
    expect(() => parseConfig({ ...base, CLIENT_REGISTRATION: 'yes' })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, REGISTERED_CLIENT_IDLE_DAYS: '0' })).toThrow(ConfigError);
  });

  it('allows loopback fetches only for DEV_LOOPBACK_FETCH=true on an issuer no deployment can have', () => {
    const allowLoopbackFetch = (vars: Record<string, string>) => parseConfig(vars).allowLoopbackFetch;
    expect(allowLoopbackFetch({ ISSUER: 'http://127.0.0.1:8787', DEV_LOOPBACK_FETCH: 'true' })).toBe(true);
    expect(allowLoopbackFetch({ ISSUER: 'https://auth.example.test', DEV_LOOPBACK_FETCH: 'true' })).toBe(true);
    expect(allowLoopbackFetch({ ISSUER: 'http://127.0.0.1:8787' })).toBe(false);
    expect(allowLoopbackFetch({ ISSUER: 'https://auth.example.com', DEV_LOOPBACK_FETCH: 'true' })).toBe(false);
    expect(() => parseConfig({ ISSUER: 'http://127.0.0.1:8787', DEV_LOOPBACK_FETCH: 'yes' })).toThrow(ConfigError);
  });

  it('reads the sender and the minimum password length, never below 8', () => {
    expect(parseConfig({ ISSUER: 'https://a.example' })).toMatchObject({ mailFrom: 'no-reply@example.com', passwordMinLength: 8 });
    expect(parseConfig({ ISSUER: 'https://a.example', MAIL_FROM: 'accounts@a.example', PASSWORD_MIN_LENGTH: '12' })).toMatchObject({ mailFrom: 'accounts@a.example', passwordMinLength: 12 });
    expect(parseConfig({ ISSUER: 'https://a.example', PASSWORD_MIN_LENGTH: '6' }).passwordMinLength).toBe(8);
    expect(() => parseConfig({ ISSUER: 'https://a.example', MAIL_FROM: 'Accounts <a@a.example>' })).toThrow(ConfigError);
    expect(() => parseConfig({ ISSUER: 'https://a.example', PASSWORD_MIN_LENGTH: '65' })).toThrow(ConfigError);
    expect(parseConfig({ ISSUER: 'https://a.example' }).breachedPasswordRangeUrl).toBeUndefined();
    expect(parseConfig({ ISSUER: 'https://a.example', BREACHED_PASSWORD_CHECK: 'pwned-passwords' }).breachedPasswordRangeUrl).toBe('https://api.pwnedpasswords.com/range/');
    expect(() => parseConfig({ ISSUER: 'https://a.example', BREACHED_PASSWORD_CHECK: 'yes' })).toThrow(ConfigError);
  });

  it('refuses lifetimes that are not whole numbers in range', () => {
    for (const value of ['0', '-1', '1.5', 'abc', '601']) {
      expect(() => parseConfig({ ISSUER: 'https://a.example', AUTHORIZATION_CODE_TTL_SECONDS: value })).toThrow(ConfigError);
    }
    expect(parseConfig({ ISSUER: 'https://a.example' }).authorizationCodeTtlSeconds).toBe(60);
  });

  it('turns the dev home page on only for DEV_HOME_PAGE=true on a plain-http loopback issuer', () => {
    const devHomePage = (vars: Record<string, string>) => parseConfig(vars).devHomePage;
    expect(devHomePage({ ISSUER: 'http://127.0.0.1:8787', DEV_HOME_PAGE: 'true' })).toBe(true);
    expect(devHomePage({ ISSUER: 'http://[::1]:8787', DEV_HOME_PAGE: 'true' })).toBe(true);
    expect(devHomePage({ ISSUER: 'http://127.0.0.1:8787' })).toBe(false);
    expect(devHomePage({ ISSUER: 'http://127.0.0.1:8787', DEV_HOME_PAGE: 'false' })).toBe(false);
    expect(devHomePage({ ISSUER: 'http://localhost:8787', DEV_HOME_PAGE: 'true' })).toBe(true);
    for (const issuer of ['https://auth.example.com', 'https://127.0.0.1:8787', 'https://localhost:8787', 'http://127.0.0.1.example.com']) {
      expect(devHomePage({ ISSUER: issuer, DEV_HOME_PAGE: 'true' })).toBe(false);
    }
    expect(() => parseConfig({ ISSUER: 'http://127.0.0.1:8787', DEV_HOME_PAGE: 'yes' })).toThrow(ConfigError);
  });

  it('keeps pushed requests 60 s by default and 1 to 600 s when set', () => {
    expect(parseConfig({ ISSUER: 'https://a.example' }).pushedRequestTtlSeconds).toBe(60);
    expect(parseConfig({ ISSUER: 'https://a.example', PUSHED_REQUEST_TTL_SECONDS: '600' }).pushedRequestTtlSeconds).toBe(600);
    for (const value of ['0', '601', '30s']) {
      expect(() => parseConfig({ ISSUER: 'https://a.example', PUSHED_REQUEST_TTL_SECONDS: value })).toThrow(ConfigError);
    }
  });

  it('requires pushed requests of every client only when REQUIRE_PUSHED_AUTHORIZATION_REQUESTS=true', () => {
    const required = (vars: Record<string, string>) => parseConfig({ ISSUER: 'https://a.example', ...vars }).requirePushedAuthorizationRequests;
    expect(required({})).toBe(false);
    expect(required({ REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: 'false' })).toBe(false);
    expect(required({ REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: 'true' })).toBe(true);
    expect(() => required({ REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: 'yes' })).toThrow(ConfigError);
  });
});

describe('passkey configuration', () => {
  it('defaults the RP ID and origin to the issuer, and offers passkeys only on a host name', () => {
    expect(parseConfig({ ISSUER: 'https://auth.example.com' }).webauthn).toEqual({ rpId: 'auth.example.com', origins: ['https://auth.example.com'], enabled: true });
    expect(parseConfig({ ISSUER: 'http://127.0.0.1:8787' }).webauthn.enabled).toBe(false);
    expect(parseConfig({ ISSUER: 'http://localhost:8787' }).webauthn).toEqual({ rpId: 'localhost', origins: ['http://localhost:8787'], enabled: true });
  });

  it('takes a parent domain and extra origins, and refuses what browsers would', () => {
    const config = parseConfig({
      ISSUER: 'https://auth.example.com', WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: `https://auth.example.com android:apk-key-hash:${'a'.repeat(43)}`,
    });
    expect(config.webauthn.rpId).toBe('example.com');
    expect(config.webauthn.origins).toHaveLength(2);
    for (const vars of [{ WEBAUTHN_RP_ID: 'other.com' }, { WEBAUTHN_RP_ID: 'le.com' }, { WEBAUTHN_ORIGINS: 'http://evil.example' }, { WEBAUTHN_ORIGINS: 'https://a.example/path' }]) {
      expect(() => parseConfig({ ISSUER: 'https://auth.example.com', ...vars })).toThrow(ConfigError);
    }
  });
});
