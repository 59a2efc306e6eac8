/** 128 random bits, base64url: the ids of authorization requests (and so of grants) and sessions. */
const ID = /^[A-Za-z0-9_-]{22}$/;

export function isRandomId(value: string): boolean {
  return ID.test(value);
}

/** 256 random bits, base64url. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Codes, refresh tokens and session cookies are handles: `<id>.<secret>`. The id names the Durable
 * Object that holds the thing (for codes and refresh tokens, the grant id: the id of the
 * authorization request that started the grant), so every endpoint reaches it in one call; the
 * secret makes the handle unguessable. Only hashes of whole handles are stored.
 */
export function encodeHandle(grantId: string, secret: string): string {
  return `${grantId}.${secret}`;
}

/** The id of a well-formed handle, or undefined for anything else. */
export function handleId(handle: string): string | undefined {
  const [id, secret, ...rest] = handle.split('.');
  if (rest.length > 0 || !id || !secret || !isRandomId(id) || !SECRET.test(secret)) return undefined;
  return id;
}

/** Access tokens' `jti` is `<grant id>.<random>`, so revocation and introspection find the grant. */
export function grantIdOfJti(jti: string): string | undefined {
  const [grantId, random, ...rest] = jti.split('.');
  if (rest.length > 0 || !grantId || !random || !isRandomId(grantId)) return undefined;
  return grantId;
}
