import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../src/dev-worker';
import deployed from '../src/index';
import { ISSUER } from './helpers/fixtures';
import { call } from './helpers/http';

/** The worker with some variables changed, as a deployment with that wrangler.toml would run. */
async function callWith(vars: Record<string, string>, path: string): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(new URL(path, vars.ISSUER ?? ISSUER)), { ...env, ...vars } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

async function expectJsonNotFound(response: Response): Promise<void> {
  expect(response.status).toBe(404);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  expect(await response.json()).toEqual({ error: 'not_found', error_description: 'No such endpoint.' });
}

describe('GET / outside `npm run dev`', () => {
  it('is the JSON 404 of any unknown path', async () => {
    await expectJsonNotFound(await call('/'));
  });

  it('stays a JSON 404 when DEV_HOME_PAGE leaks into a deployment: the issuer is not a loopback address', async () => {
    await expectJsonNotFound(await callWith({ DEV_HOME_PAGE: 'true' }, '/'));
    await expectJsonNotFound(await callWith({ DEV_HOME_PAGE: 'true', ISSUER: 'http://auth.example.test' }, '/'));
    await expectJsonNotFound(await callWith({ DEV_HOME_PAGE: 'true', ISSUER: 'https://127.0.0.1:8787' }, '/'));
  });

  it('is not in the deployed script at all, even on a loopback issuer with DEV_HOME_PAGE=true', async () => {
    const vars = { ISSUER: 'http://127.0.0.1:8787', DEV_HOME_PAGE: 'true' };
    const ctx = createExecutionContext();
    await expectJsonNotFound(await deployed.fetch(new Request('http://127.0.0.1:8787/'), { ...env, ...vars } as Env, ctx));
    await waitOnExecutionContext(ctx);
    expect((await callWith(vars, '/')).status).toBe(200);
  });

  it('is a JSON 404 on a loopback issuer without DEV_HOME_PAGE, as the e2e worker runs', async () => {
    await expectJsonNotFound(await callWith({ ISSUER: 'http://127.0.0.1:8787' }, '/'));
    await expectJsonNotFound(await callWith({ ISSUER: 'http://127.0.0.1:8787', DEV_HOME_PAGE: 'false' }, '/'));
  });

  it('is the page on a loopback issuer with DEV_HOME_PAGE=true', async () => {
    const response = await callWith({ ISSUER: 'http://127.0.0.1:8787', DEV_HOME_PAGE: 'true' }, '/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<h1>edge-auth is running</h1>');
  });
});
