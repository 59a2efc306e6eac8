import type { Auditor } from '../audit/audit-log';
import type { ClientRow } from '../db/schema';

/** RFC 6749 section 5.1, plus `id_token` (OIDC Core 3.1.3.3). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
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
}

/** One handler per `grant_type`, looked up by the token endpoint. */
export type GrantHandler = (context: GrantContext) => Promise<TokenResponse>;
