import { lt } from 'drizzle-orm';
import { randomToken } from '../crypto/random';
import { database } from '../db/client';
import { auditEvents } from '../db/schema';

export type AuditEventName =
  | 'login_succeeded'
  | 'login_failed'
  | 'code_issued'
  | 'code_redeemed'
  | 'code_replay_detected'
  | 'token_refreshed'
  | 'refresh_token_reuse_detected'
  | 'token_revoked'
  | 'session_ended'
  | 'client_credentials_issued'
  | 'management_change'
  | 'keys_rotated';

/** Ids and outcomes only: never a secret, code, verifier, token, password or email. */
export interface AuditEvent {
  event: AuditEventName;
  actor?: string;
  clientId?: string;
  userId?: string;
  grantId?: string;
  detail?: Record<string, string | number | boolean | null>;
}

export type Auditor = (event: AuditEvent) => void;

/**
 * Writes each event twice: one JSON line to the Workers log (for Logpush and `wrangler tail`) and
 * one row in D1 (queryable through the Management API). The row is written after the response,
 * through waitUntil, so auditing adds no latency; a failed write is logged and never fails the
 * request it describes.
 */
export function auditorFor(env: Env, waitUntil: (promise: Promise<unknown>) => void): Auditor {
  return (event) => {
    const at = Date.now();
    console.log(JSON.stringify({ audit: event.event, at: new Date(at).toISOString(), ...event, event: undefined }));
    waitUntil(
      database(env)
        .insert(auditEvents)
        .values({ id: randomToken(12), at: new Date(at), ...event })
        .run()
        .catch((error: unknown) => console.error(JSON.stringify({ event: 'audit_write_failed', message: String(error) }))),
    );
  };
}

/** The cron's retention job. */
export async function deleteAuditEventsBefore(env: Env, cutoff: Date): Promise<void> {
  await database(env).delete(auditEvents).where(lt(auditEvents.at, cutoff)).run();
}
