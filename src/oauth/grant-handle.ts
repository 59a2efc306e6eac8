/** 128 random bits, base64url: the ids of authorization requests (and so of grants) and sessions. */
const ID = /^[A-Za-z0-9_-]{22}$/;
/** 256 random bits, base64url. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;
/** User ids as stored in D1 (`user_<random>` when edge-auth makes them): they name the user's object. */
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isRandomId(value: string): boolean {
  return ID.test(value);
}

export function isUserId(value: string): boolean {
  return USER_ID.test(value);
}

/** Where a handle points: the user's Durable Object, and the grant or session inside it. */
export interface HandleTarget {
  userId: string;
  id: string;
}

/**
 * Codes, refresh tokens and session cookies are handles: `<user id>.<id>.<secret>`. The user id
 * names the Durable Object that holds everything of that user, and the id the grant or session in
 * it, so every endpoint reaches it in one call; the secret makes the handle unguessable. Only
 * hashes of whole handles are stored. (A JWT also has three dot-separated parts, but never a
 * 22-character middle one followed by a 43-character last one.)
 */
export function encodeHandle(target: HandleTarget, secret: string): string {
  return `${target.userId}.${target.id}.${secret}`;
}

/** The target of a well-formed handle, or undefined for anything else. */
export function parseHandle(handle: string): HandleTarget | undefined {
  const [userId, id, secret, ...rest] = handle.split('.');
  if (rest.length > 0 || !userId || !id || !secret || !isUserId(userId) || !isRandomId(id) || !SECRET.test(secret)) return undefined;
  return { userId, id };
}

/** Access tokens' `jti` is `<grant id>.<random>` (their `sub` names the user), so revocation finds the grant. */
export function encodeJti(grantId: string, random: string): string {
  return `${grantId}.${random}`;
}

export function grantIdOfJti(jti: string): string | undefined {
  const [grantId, random, ...rest] = jti.split('.');
  if (rest.length > 0 || !grantId || !random || !isRandomId(grantId)) return undefined;
  return grantId;
}
