import type { Auditor } from '../audit/audit-log';
import type { ClientRow } from '../db/schema';
import type { DpopProof } from '../oauth/dpop-proof';

/** RFC 6749 section 5.1, plus `id_token` (OIDC Core 3.1.3.3). */
export interface TokenResponse {
  access_token: string;
  /** `DPoP` when the access token is bound to the proof's key (RFC 9449 section 5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

export interface GrantContext {
  env: Env;
  /** The authenticated client. */
  client: ClientRow;
  params: Map<string, string>;
  audit: Auditor;
  /** The request's verified DPoP proof, if it sent one. */
  dpop: DpopProof | undefined;
}

/** One handler per `grant_type`, looked up by the token endpoint. */
export type GrantHandler = (context: GrantContext) => Promise<TokenResponse>;
