/**
 * Issue 16: anyone may register a client where CLIENT_REGISTRATION is open, so a registered client
 * is an attacker's until proven otherwise. It gets no more than the metadata rules allow, whatever
 * it sends; never the Management API; never a code from a browser's session without the person
 * seeing a page; and no registration but its own to read or delete.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { expectErrorRedirect } from '../helpers/assertions';
import { authorizeWith, signIn } from '../helpers/flow';
import { LOOPBACK, MCP_CLIENT, register, registered } from '../helpers/registration';

const HTTPS_REDIRECT = 'https://mcp-client.example.com/callback';

describe('a registration cannot grant itself what operators decide', () => {
  it('ignores a chosen client_id, type, secret, consent or single sign-on setting, and audiences', async () => {
    const body = await registered({
      ...MCP_CLIENT,
      client_id: 'demo-app',
      client_secret: 'chosen-secret',
      type: 'confidential',
      require_consent: false,
      sso_confirmation: 'never',
      registration: 'management',
      audiences: ['urn:edge-auth:management-api'],
      audience: 'urn:edge-auth:management-api',
    });
    expect(body.client_id).not.toBe('demo-app');
    expect(body).not.toHaveProperty('client_secret');
    const stored = await env.DB.prepare('SELECT * FROM clients WHERE id = ?').bind(body.client_id).first<Record<string, unknown>>();
    expect(stored).toMatchObject({ type: 'public', secret_hash: null, require_consent: 1, sso_confirmation: 'always', registration: 'dynamic' });
    expect(stored!.audiences).toBe('["http://127.0.0.1:8788/mcp","https://api.example.com"]');
    // demo-app is untouched.
    const demo = await env.DB.prepare('SELECT registration, sso_confirmation FROM clients WHERE id = ?').bind('demo-app').first();
    expect(demo).toEqual({ registration: 'management', sso_confirmation: 'unverified_redirects' });
  });

  it('cannot ask for Management API scopes, and cannot get a code for the Management API', async () => {
    const response = await register({ ...MCP_CLIENT, scope: 'read:clients delete:users create:clients' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client_metadata');

    const client = await registered();
    const { response: authorized } = await authorizeWith(undefined, {
      client_id: client.client_id,
      redirect_uri: LOOPBACK,
      audience: 'urn:edge-auth:management-api',
      scope: 'read:clients',
    });
    expectErrorRedirect(authorized, 'invalid_request', { redirectUri: LOOPBACK });
  });
});

describe('a registered client never gets a code silently from a browser session', () => {
  it('prompt=none answers interaction_required even at its https redirect', async () => {
    const { cookie: session } = await signIn();
    const client = await registered();
    for (const redirect of [LOOPBACK, HTTPS_REDIRECT]) {
      const { response } = await authorizeWith(session, { client_id: client.client_id, redirect_uri: redirect, prompt: 'none', audience: 'https://api.example.com' });
      expectErrorRedirect(response, 'interaction_required', { redirectUri: redirect });
    }
  });
});
