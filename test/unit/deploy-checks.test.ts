import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { deployFindings, type DeployConfig } from '../../scripts/deploy-checks.mjs';

const WRANGLER_TOML = fileURLToPath(new URL('../../wrangler.toml', import.meta.url).href);
const DATABASE_ID = '4f1d2c3b-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

/** A configuration ready to deploy, on a custom domain; each test breaks one thing. */
function ready(change: Partial<DeployConfig> = {}): DeployConfig {
  return {
    name: 'edge-auth',
    vars: { ISSUER: 'https://auth.acme-corp.dev' },
    d1_databases: [{ binding: 'DB', database_name: 'edge-auth', database_id: DATABASE_ID }],
    routes: [{ pattern: 'auth.acme-corp.dev', custom_domain: true }],
    ...change,
  };
}

const errors = (config: DeployConfig) => deployFindings(config).filter((f) => f.level === 'error');

describe('npm run deploy: the checks before wrangler deploy', () => {
  it('passes a configuration with an https issuer it serves and a created database', () => {
    expect(deployFindings(ready())).toEqual([]);
    expect(deployFindings(ready({ routes: ['auth.acme-corp.dev/*'] }))).toEqual([]);
    expect(deployFindings(ready({ routes: undefined, route: { pattern: 'https://auth.acme-corp.dev/*' } }))).toEqual([]);
    expect(deployFindings(ready({ vars: { ISSUER: 'https://edge-auth.acme.workers.dev' }, routes: undefined }))).toEqual([]);
  });

  it("refuses today's wrangler.toml: the dev issuer and the all-zero database_id, each with its fix", () => {
    const config = unstable_readConfig({ config: WRANGLER_TOML }, { hideWarnings: true });
    expect(deployFindings(config)).toEqual([
      {
        level: 'error',
        problem: 'ISSUER is http://127.0.0.1:8787, an address on one machine (`npm run dev` sets its own), not a name the deployed worker answers on.',
        fix: expect.stringContaining('set ISSUER = "https://auth.your-domain.com" in [vars] of wrangler.toml'),
      },
      {
        level: 'error',
        problem: 'The D1 database DB has the placeholder database_id "00000000-0000-0000-0000-000000000000".',
        fix: 'npx wrangler d1 create edge-auth, then put the database_id it prints into [[d1_databases]] (binding = "DB") in wrangler.toml',
      },
    ]);
  });

  it('refuses an issuer that is missing, loopback, an IP address, plain http or a placeholder', () => {
    const problems = (issuer: unknown) => errors(ready({ vars: { ISSUER: issuer } })).map((f) => f.problem);
    expect(problems(undefined)).toEqual(['ISSUER is not set in [vars].']);
    expect(problems('auth.acme-corp.dev')).toEqual(['ISSUER is not an absolute URL: "auth.acme-corp.dev".']);
    for (const issuer of ['http://127.0.0.1:8787', 'https://127.0.0.1', 'https://[::1]:8443', 'https://localhost', 'https://auth.localhost', 'https://203.0.113.7']) {
      expect(problems(issuer), issuer).toEqual([expect.stringContaining('an address on one machine')]);
    }
    expect(problems('http://auth.acme-corp.dev')).toEqual([expect.stringContaining('must be https')]);
    expect(problems('https://auth.acme-corp.dev/?tenant=1')).toEqual([expect.stringContaining('no query, fragment or credentials')]);
    for (const issuer of ['https://auth.example.com', 'https://example.org', 'https://auth.example', 'https://edge-auth.test']) {
      expect(problems(issuer), issuer).toEqual([expect.stringContaining('a placeholder')]);
    }
  });

  it('names the environment table under --env', () => {
    const findings = errors(ready({ targetEnvironment: 'production', vars: {}, d1_databases: [] }));
    expect(findings.map((f) => f.problem)).toEqual(['ISSUER is not set in [env.production.vars].', 'wrangler.toml has no [[env.production.d1_databases]] with binding = "DB".']);
  });

  it('refuses a placeholder or missing database_id for every D1 binding', () => {
    for (const database_id of [undefined, '', '00000000-0000-0000-0000-000000000000', '<your database id>', 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx']) {
      expect(errors(ready({ d1_databases: [{ binding: 'DB', database_name: 'edge-auth', database_id }] })), String(database_id)).toHaveLength(1);
    }
  });

  it('refuses a workers.dev issuer the worker is not served on', () => {
    const onWorkersDev = (issuer: string, change: Partial<DeployConfig> = {}) => errors(ready({ vars: { ISSUER: issuer }, routes: undefined, ...change }));
    expect(onWorkersDev('https://auth.acme.workers.dev')[0]?.problem).toBe('ISSUER is https://auth.acme.workers.dev, but this worker is served at edge-auth.<your subdomain>.workers.dev.');
    expect(onWorkersDev('https://edge-auth.acme.workers.dev', { workers_dev: false })[0]?.problem).toContain('workers_dev = false');
  });

  it('warns, without refusing, when no route serves the issuer (it may be attached in the dashboard)', () => {
    expect(deployFindings(ready({ routes: [{ pattern: 'other.acme-corp.dev', custom_domain: true }] }))).toEqual([
      {
        level: 'warning',
        problem: expect.stringContaining('No route in wrangler.toml serves auth.acme-corp.dev'),
        fix: 'add routes = [{ pattern = "auth.acme-corp.dev", custom_domain = true }] to wrangler.toml',
      },
    ]);
  });

  it('refuses DEV_HOME_PAGE, which only npm run dev sets', () => {
    expect(errors(ready({ vars: { ISSUER: 'https://auth.acme-corp.dev', DEV_HOME_PAGE: 'false' } }))).toEqual([
      { level: 'error', problem: expect.stringContaining('DEV_HOME_PAGE is set in [vars]'), fix: 'remove DEV_HOME_PAGE from [vars] in wrangler.toml' },
    ]);
  });

  it('refuses open client registration without its rate limit, and an unknown policy', () => {
    const limited = { ratelimits: [{ name: 'REGISTRATION_NETWORK_LIMIT' }] };
    expect(deployFindings(ready({ vars: { ISSUER: 'https://auth.acme-corp.dev', CLIENT_REGISTRATION: 'open' }, ...limited }))).toEqual([]);
    expect(deployFindings(ready({ vars: { ISSUER: 'https://auth.acme-corp.dev', CLIENT_REGISTRATION: 'token' } }))).toEqual([]);
    expect(deployFindings(ready({ vars: { ISSUER: 'https://auth.acme-corp.dev', CLIENT_REGISTRATION: 'off' } }))).toEqual([]);
    expect(errors(ready({ vars: { ISSUER: 'https://auth.acme-corp.dev', CLIENT_REGISTRATION: 'open' }, ratelimits: [{ name: 'LOGIN_NETWORK_LIMIT' }] }))).toEqual([
      {
        level: 'error',
        problem: expect.stringContaining('CLIENT_REGISTRATION is "open" in [vars], but wrangler.toml has no rate limit named REGISTRATION_NETWORK_LIMIT'),
        fix: expect.stringContaining('add [[ratelimits]] with name = "REGISTRATION_NETWORK_LIMIT"'),
      },
    ]);
    expect(errors(ready({ vars: { ISSUER: 'https://auth.acme-corp.dev', CLIENT_REGISTRATION: 'yes' } }))).toEqual([
      { level: 'error', problem: 'CLIENT_REGISTRATION is "yes" in [vars]; it must be off, open or token.', fix: expect.any(String) },
    ]);
  });

  it("today's wrangler.toml has the registration rate limit, so turning registration on there passes this check", () => {
    const config = unstable_readConfig({ config: WRANGLER_TOML }, { hideWarnings: true });
    expect(config.vars.CLIENT_REGISTRATION).toBe('off');
    const open = { ...config, vars: { ...config.vars, CLIENT_REGISTRATION: 'open' } };
    expect(deployFindings(open).filter((f) => f.problem.includes('CLIENT_REGISTRATION'))).toEqual([]);
  });

  it('refuses DEV_LOOPBACK_FETCH, which lets the worker fetch client URLs on loopback addresses', () => {
    expect(errors(ready({ vars: { ISSUER: 'https://auth.acme-corp.dev', DEV_LOOPBACK_FETCH: 'true' } }))).toEqual([
      { level: 'error', problem: expect.stringContaining('DEV_LOOPBACK_FETCH is set in [vars]'), fix: 'remove DEV_LOOPBACK_FETCH from [vars] in wrangler.toml' },
    ]);
  });
});
