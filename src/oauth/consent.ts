/**
 * Whether the user must see the consent page before the client gets a code (OIDC Core 3.1.2.4):
 * when the app asks for it (`prompt=consent`), or when it requires consent and the user has not
 * yet allowed every requested scope.
 */
export function needsConsent(input: {
  forceConsent: boolean;
  requireConsent: boolean;
  requested: readonly string[];
  allowed: readonly string[];
}): boolean {
  if (input.forceConsent) return true;
  if (!input.requireConsent) return false;
  return !input.requested.every((scope) => input.allowed.includes(scope));
}
