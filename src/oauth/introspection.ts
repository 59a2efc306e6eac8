/** What introspection knows of a token before it decides whether the caller may learn about it. */
export interface IntrospectedToken {
  type: 'access_token' | 'refresh_token';
  audience: string;
  /** The client the token was issued to. */
  clientId: string;
}

/**
 * RFC 7662 section 4 leaves to the server who may learn about which token. edge-auth's rule:
 * - the client a token was issued to may introspect it, whatever its type;
 * - a resource server (a confidential client allowed the token's audience) may introspect access
 *   tokens for that audience, and never refresh tokens: those are sent only to the authorization
 *   server (RFC 6749 sections 1.5 and 10.4), so a resource server holding one holds it by mistake
 *   or by theft, and learns nothing from it (`active: false`, as for a token it may not see).
 */
export function mayIntrospect(caller: { id: string; audiences: readonly string[] }, token: IntrospectedToken): boolean {
  if (token.clientId === caller.id) return true;
  return token.type === 'access_token' && caller.audiences.includes(token.audience);
}
