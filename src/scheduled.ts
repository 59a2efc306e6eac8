import { auditorFor, deleteAuditEventsBefore, type Auditor } from './audit/audit-log';
import { getConfig } from './config';
import { deleteClient, findIdleRegisteredClients } from './db/clients';
import { deleteExpiredAssertionJtis } from './db/client-assertion-jtis';
import { deleteExpiredRevocations } from './db/revoked-tokens';
import { signingKeyStore } from './durable-objects/signing-key-store';

const DAY_MS = 86_400_000;
/** Deleted per run at most: a flood of registrations is worked off over a few days, not in one cron's time limit. */
const MAX_EXPIRED_CLIENTS_PER_RUN = 500;

/**
 * Deletes dynamically registered clients unused for REGISTERED_CLIENT_IDLE_DAYS, each as the
 * Management API deletes a client, and audits each: one D1 query to find them, then one delete
 * per client (its client grants go in the same statement, by cascade).
 */
async function expireIdleClients(env: Env, idleDays: number, audit: Auditor): Promise<void> {
  const idle = await findIdleRegisteredClients(env, new Date(Date.now() - idleDays * DAY_MS), MAX_EXPIRED_CLIENTS_PER_RUN);
  for (const { id } of idle) {
    await deleteClient(env, id);
    audit({ event: 'client_expired', actor: 'system', clientId: id, detail: { idle_days: idleDays } });
  }
}

/**
 * The daily cron: rotate signing keys that are due, retire expired ones, apply audit retention,
 * forget expired revocations and client-assertion ids, expire unused registered clients.
 */
export async function scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = getConfig(env);
  const audit = auditorFor(env, (promise) => ctx.waitUntil(promise));
  const { rotated } = await signingKeyStore(env).maintain(config.keyRotationDays * DAY_MS);
  if (rotated.length > 0) audit({ event: 'keys_rotated', actor: 'system', detail: { algs: rotated.join(','), scheduled: true } });
  await deleteAuditEventsBefore(env, new Date(Date.now() - config.auditRetentionDays * DAY_MS));
  await deleteExpiredRevocations(env, new Date());
  await expireIdleClients(env, config.registeredClientIdleDays, audit);
  await deleteExpiredAssertionJtis(env, new Date());
}
