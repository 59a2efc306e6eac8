import { Hono } from 'hono/tiny';
import { renderErrors } from '../http/error-handler';
import { apiRoutes } from './apis';
import { auditEventRoutes } from './audit-events';
import type { ManagementEnv } from './authorize-management';
import { clientGrantRoutes } from './client-grants';
import { clientRoutes } from './clients';
import { connectionRoutes } from './connections';
import { keyRoutes } from './keys';
import { userMfaRoutes } from './user-mfa';
import { userSessionRoutes } from './user-sessions';
import { userPasskeyRoutes } from './user-passkeys';
import { userRoutes } from './users';

/** The Management API, mounted at /api/v1: Auth0's Management API, in the shape a Workers operator expects. */
export const managementApi = new Hono<ManagementEnv>()
  // Responses carry secrets (a new client secret) and private data: never cached anywhere.
  .use(async (c, next) => {
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
  })
  .route('/clients', clientRoutes)
  .route('/apis', apiRoutes)
  .route('/client-grants', clientGrantRoutes)
  .route('/users', userRoutes)
  .route('/users', userSessionRoutes)
  .route('/users', userMfaRoutes)
  .route('/connections', connectionRoutes)
  .route('/users', userPasskeyRoutes)
  .route('/keys', keyRoutes)
  .route('/audit-events', auditEventRoutes)
  .onError(renderErrors('json'));
