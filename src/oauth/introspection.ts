/**
 * RFC 7662 section 4 leaves to the server who may learn about which token: a resource server learns
 * only about tokens meant for its APIs, or issued to itself.
 */
export function mayIntrospect(caller: { id: string; audiences: readonly string[] }, token: { audience: string; clientId: string }): boolean {
  return caller.audiences.includes(token.audience) || token.clientId === caller.id;
}
