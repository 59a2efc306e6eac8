import { sql } from 'drizzle-orm';
import { database } from '../db/client';
import { auditEvents } from '../db/schema';
import type { AuditMessage } from './audit-log';
import { auditRows } from './audit-rows';

/**
 * The audit queue's consumer (wrangler.toml `[[queues.consumers]]`): one D1 batch per message
 * batch. Aggregated failures add their counts to a row of an earlier batch with the same key. A
 * failed insert throws, and the queue retries the batch.
 */
export async function consumeAuditEvents(batch: MessageBatch<AuditMessage>, env: Env): Promise<void> {
  const { rows, failures } = auditRows(batch.messages.map((message) => message.body));
  const db = database(env);
  const statements = [
    ...rows.map((row) => db.insert(auditEvents).values(row)),
    ...failures.map((row) =>
      db
        .insert(auditEvents)
        .values(row)
        .onConflictDoUpdate({
          target: auditEvents.id,
          set: {
            detail: sql`json_set(${auditEvents.detail}, '$.count', json_extract(${auditEvents.detail}, '$.count') + json_extract(excluded.detail, '$.count'))`,
          },
        }),
    ),
  ];
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
