import { Hono } from 'hono/tiny';
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { database } from '../db/client';
import { auditEvents } from '../db/schema';
import { invalidBody } from '../errors/api-error';
import { requireScope, type ManagementEnv } from './authorize-management';
import { auditEventJson } from '../http/user-json';
import { listPage } from './list-page';

function timeFilter(value: string | undefined, path: string): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw invalidBody([{ path, message: 'must be an ISO 8601 date-time' }]);
  return at;
}

/** Newest first, filtered by event, client, user and time: `?event=login_failed&since=2026-11-24T00:00:00Z`. */
export const auditEventRoutes = new Hono<ManagementEnv>().get('/', requireScope('read:audit'), async (c) => {
  const since = timeFilter(c.req.query('since'), 'since');
  const until = timeFilter(c.req.query('until'), 'until');
  const filters: (SQL | undefined)[] = [
    c.req.query('event') === undefined ? undefined : eq(auditEvents.event, c.req.query('event')!),
    c.req.query('client_id') === undefined ? undefined : eq(auditEvents.clientId, c.req.query('client_id')!),
    c.req.query('user_id') === undefined ? undefined : eq(auditEvents.userId, c.req.query('user_id')!),
    since && gte(auditEvents.at, since),
    until && lt(auditEvents.at, until),
  ];
  const where = and(...filters);
  const db = database(c.env);
  return listPage(
    c,
    (limit, offset) => db.select().from(auditEvents).where(where).orderBy(desc(auditEvents.at), desc(auditEvents.id)).limit(limit).offset(offset),
    () => db.$count(auditEvents, where),
    auditEventJson,
  );
});
