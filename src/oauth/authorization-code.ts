import { isLoginRequestId } from './login-request';

/** 256 random bits, base64url. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * A code is `<request id>.<secret>`: the request id names the Durable Object that holds the code,
 * so the token endpoint reaches it in one call; the secret makes it unguessable. Only the hash of
 * the whole code is stored.
 */
export function encodeAuthorizationCode(requestId: string, secret: string): string {
  return `${requestId}.${secret}`;
}

/** The request id of a well-formed code, or undefined for anything else. */
export function authorizationCodeRequestId(code: string): string | undefined {
  const [requestId, secret, ...rest] = code.split('.');
  if (rest.length > 0 || !requestId || !secret || !isLoginRequestId(requestId) || !SECRET.test(secret)) return undefined;
  return requestId;
}
