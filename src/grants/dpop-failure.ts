import { invalidGrant, OAuthError } from '../errors/oauth-error';
import type { DpopFailure } from '../oauth/grant-record';

const DPOP_FAILURES: ReadonlySet<string> = new Set<DpopFailure>(['dpop_key_mismatch', 'dpop_required', 'dpop_replayed', 'dpop_too_many']);

export function isDpopFailure(reason: string): reason is DpopFailure {
  return DPOP_FAILURES.has(reason);
}

/**
 * A grant refused for its DPoP binding (RFC 9449 sections 5, 10 and 11.1): a proof by another key
 * than the grant is bound to is `invalid_grant`, a missing or replayed proof `invalid_dpop_proof`.
 * `what` names the credential: "authorization code" or "refresh token".
 */
export function dpopFailureError(reason: DpopFailure, what: string): OAuthError {
  switch (reason) {
    case 'dpop_key_mismatch':
      return invalidGrant(`This ${what} is bound to another DPoP key.`);
    case 'dpop_required':
      return new OAuthError('invalid_dpop_proof', `This ${what} is bound to a DPoP key: send a DPoP proof by that key.`);
    case 'dpop_replayed':
      return new OAuthError('invalid_dpop_proof', 'This DPoP proof was already used; make a new one for every request.');
    case 'dpop_too_many':
      return new OAuthError('invalid_dpop_proof', 'Too many DPoP proofs for this grant within a minute; retry shortly.');
  }
}
