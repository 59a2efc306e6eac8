/**
 * A DPoP client (RFC 9449) for workerd tests: a key pair held as an app would hold it, proofs made
 * for a request (changed one claim or header at a time to break them), and token requests that
 * carry them. Nonces come from the server, through `use_dpop_nonce`, as an app gets them.
 */
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { expect } from 'vitest';
import { ISSUER } from './fixtures';
import { call, form } from './http';

export const TOKEN_URL = `${ISSUER}/oauth/token`;
export const USERINFO_URL = `${ISSUER}/userinfo`;

export interface DpopKey {
  alg: 'ES256' | 'EdDSA' | 'RS256';
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** RFC 7638 thumbprint: what `cnf.jkt` and `dpop_jkt` carry. */
  jkt: string;
}

/** A fresh key pair; the private key is not extractable, as in a Secure Enclave. */
export async function dpopKey(alg: DpopKey['alg'] = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' && { crv: 'Ed25519' }) });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

export interface ProofOptions {
  htm?: string;
  htu?: string;
  nonce?: string | undefined;
  /** The access token whose hash becomes `ath`. */
  accessToken?: string;
  /** Claims to change (undefined: left out). */
  claims?: Record<string, unknown>;
  /** Header members to change. */
  header?: Record<string, unknown>;
}

/** A proof for the token endpoint by default, fresh, with a random jti. */
export async function dpopProof(key: DpopKey, options: ProofOptions = {}): Promise<string> {
  const claims: Record<string, unknown> = {
    htm: options.htm ?? 'POST',
    htu: options.htu ?? TOKEN_URL,
    iat: Math.floor(Date.now() / 1000),
    jti: base64url.encode(crypto.getRandomValues(new Uint8Array(16))),
    ...(options.nonce !== undefined && { nonce: options.nonce }),
    ...(options.accessToken !== undefined && {
      ath: base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(options.accessToken)))),
    }),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk, ...options.header } as never).sign(key.privateKey);
}

/** A JWT with exactly this header and payload and signature bytes: for `alg: none` and other forgeries. */
export function rawJwt(header: object, payload: object, signature = ''): string {
  const part = (value: object) => base64url.encode(JSON.stringify(value));
  return `${part(header)}.${part(payload)}.${signature}`;
}

/** POST /oauth/token with this body and DPoP header (none when undefined). */
export function tokenRequest(body: Record<string, string>, proof: string | undefined, headers: Record<string, string> = {}): Promise<Response> {
  return call('/oauth/token', form(body, { headers: { ...headers, ...(proof !== undefined && { DPoP: proof }) } }));
}

/** A nonce the server hands out: asked for as an app does, by a first request that has none. */
export async function serverNonce(key: DpopKey): Promise<string> {
  const response = await tokenRequest({ grant_type: 'refresh_token', client_id: 'demo-app', refresh_token: 'x' }, await dpopProof(key));
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: string }).error).toBe('use_dpop_nonce');
  const nonce = response.headers.get('DPoP-Nonce');
  expect(nonce).toBeTruthy();
  return nonce!;
}

/** The fields of a DPoP error at the token endpoint (400) or at a resource (401, with a DPoP challenge). */
export async function expectDpopError(response: Response, status: 400 | 401, error: string): Promise<string> {
  expect(response.status, await response.clone().text()).toBe(status);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  const body = (await response.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  if (status === 401) {
    const challenge = response.headers.get('WWW-Authenticate') ?? '';
    expect(challenge).toMatch(/^DPoP realm="edge-auth"/);
    expect(challenge).toContain(`error="${error}"`);
    expect(challenge).toContain('algs="ES256 EdDSA RS256"');
  }
  if (error === 'use_dpop_nonce') expect(response.headers.get('DPoP-Nonce')).toBeTruthy();
  return body.error_description;
}
