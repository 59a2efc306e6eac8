import { auditorFor, deleteAuditEventsBefore } from './audit/audit-log';
import { getConfig } from './config';
import { deleteExpiredAssertionJtis } from './db/client-assertion-jtis';
import { deleteExpiredRevocations } from './db/revoked-tokens';
import { signingKeyStore } from './durable-objects/signing-key-store';

const DAY_MS = 86_400_000;

/** The daily cron: rotate signing keys that are due, retire expired ones, apply audit retention, forget expired revocations and client-assertion ids. */
export async function scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = getConfig(env);
  const { rotated } = await signingKeyStore(env).maintain(config.keyRotationDays * DAY_MS);
  if (rotated.length > 0) {
    auditorFor(env, (promise) => ctx.waitUntil(promise))({ event: 'keys_rotated', actor: 'system', detail: { algs: rotated.join(','), scheduled: true } });
  }
  await deleteAuditEventsBefore(env, new Date(Date.now() - config.auditRetentionDays * DAY_MS));
  await deleteExpiredRevocations(env, new Date());
  await deleteExpiredAssertionJtis(env, new Date());
}
