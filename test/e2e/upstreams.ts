/**
 * Upstream identity providers for the federation tests, on 127.0.0.1: panva's oidc-provider (a
 * certified OpenID provider, with its development login and consent pages), and a tiny hand-rolled
 * one that signs whatever ID token a test asks for with jose, for the tokens a real provider would
 * never issue (wrong nonce, wrong issuer, expired, for another audience).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';
import { freePort } from './worker-server';

export const UPSTREAM_CLIENT_ID = 'edge-auth';
export const UPSTREAM_CLIENT_SECRET = 'upstream-secret-for-the-tests-only';

export interface RunningUpstream {
  issuer: string;
  close(): Promise<void>;
}

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** oidc-provider as the upstream: any login name signs in, and it is the account's verified email. */
export async function startOidcProvider(callbackUrl: string): Promise<RunningUpstream> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: UPSTREAM_CLIENT_ID,
        client_secret: UPSTREAM_CLIENT_SECRET,
        redirect_uris: [callbackUrl],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, email: id, email_verified: true, name: 'Upstream Person' }) }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(16).toString('hex')] },
  });
  const server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { issuer, close: () => closeServer(server) };
}

/** What the hand-rolled upstream puts in its next answers; each test sets what it needs. */
export interface FakeBehaviour {
  subject: string;
  email?: string | undefined;
  emailVerified?: boolean;
  /** Overrides of the ID token's claims: a wrong nonce, issuer or audience, an expiry in the past. */
  claims?: Record<string, unknown>;
  /** The `iss` of the authorization response (RFC 9207); the issuer when unset. */
  responseIss?: string;
  /** An error answer at the authorization endpoint instead of a code. */
  authorizationError?: string;
  /** The token endpoint answers 500 instead. */
  tokenEndpointDown?: boolean;
  /** The token endpoint never answers (edge-auth gives up after 5 seconds). */
  tokenEndpointHangs?: boolean;
}

export interface FakeUpstream extends RunningUpstream {
  behaviour: FakeBehaviour;
  /** How many codes the token endpoint redeemed. */
  redeemed: number;
}

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
};

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'fake-1', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { nonce: string; challenge: string; clientId: string }>();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const upstream: FakeUpstream = {
    issuer,
    behaviour: { subject: 'fake-subject' },
    redeemed: 0,
    close: () => {
      server.closeAllConnections();
      return closeServer(server);
    },
  };
  const json = (response: import('node:http').ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
  };
  const handle = async (request: IncomingMessage, response: import('node:http').ServerResponse) => {
    const url = new URL(request.url ?? '/', issuer);
    const b = upstream.behaviour;
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(response, 200, {
        issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true, response_modes_supported: ['query', 'form_post'],
      });
    }
    if (url.pathname === '/jwks') return json(response, 200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      back.searchParams.set('iss', b.responseIss ?? issuer);
      if (b.authorizationError) back.searchParams.set('error', b.authorizationError);
      else {
        const code = randomBytes(16).toString('base64url');
        codes.set(code, { nonce: url.searchParams.get('nonce') ?? '', challenge: url.searchParams.get('code_challenge') ?? '', clientId: url.searchParams.get('client_id') ?? '' });
        back.searchParams.set('code', code);
      }
      response.writeHead(302, { Location: back.href }).end();
      return;
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      if (b.tokenEndpointDown) return json(response, 500, { error: 'server_error' });
      if (b.tokenEndpointHangs) return;
      const form = await readBody(request);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifierHash = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
      if (!grant || grant.challenge !== verifierHash || form.get('client_secret') !== UPSTREAM_CLIENT_SECRET) return json(response, 400, { error: 'invalid_grant' });
      upstream.redeemed += 1;
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: issuer, sub: b.subject, aud: grant.clientId, iat: now, exp: now + 300, nonce: grant.nonce, email: b.email, email_verified: b.emailVerified ?? false, ...b.claims };
      const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'fake-1' }).sign(privateKey);
      return json(response, 200, { access_token: randomBytes(16).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    response.writeHead(404).end();
  };
  server.on('request', (request, response) => void handle(request, response));
  return upstream;
}
