import type { Context } from 'hono';
import { OAuthError } from '../errors/oauth-error';
import { NO_STORE } from '../errors/responses';
import { grantHandler } from '../grants';
import { requiredParam } from '../oauth/params';
import { auditorOf } from '../audit/audit-log';
import { authenticateClient } from './client-authentication';
import { readFormOrJson } from './request-body';

/** POST /oauth/token (RFC 6749 section 3.2). */
export async function token(c: Context<{ Bindings: Env }>): Promise<Response> {
  const params = await readFormOrJson(c);
  const grantType = requiredParam(params, 'grant_type');
  const handler = grantHandler(grantType);
  if (!handler) throw new OAuthError('unsupported_grant_type', 'This grant_type is not supported.');
  const client = await authenticateClient(c, params);
  if (!client.grantTypes.includes(grantType)) {
    throw new OAuthError('unauthorized_client', 'This client may not use this grant_type.');
  }
  return c.json(await handler({ env: c.env, client, params, audit: auditorOf(c) }), 200, NO_STORE);
}
