import { lt } from 'drizzle-orm';
import { database } from '../db/client';
import { auditEvents } from '../db/schema';

export type AuditEventName =
  | 'login_succeeded'
  | 'login_failed'
  | 'authorization_request_pushed'
  | 'signup_requested'
  | 'signup_completed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'email_verified'
  | 'verification_mail_sent'
  | 'email_change_requested'
  | 'email_changed'
  | 'password_changed'
  | 'signed_out_everywhere'
  | 'language_saved'
  | 'account_deleted'
  | 'passkey_added'
  | 'passkey_used'
  | 'passkey_removed'
  | 'code_issued'
  | 'code_redeemed'
  | 'code_replay_detected'
  | 'token_refreshed'
  | 'refresh_token_reuse_detected'
  | 'dpop_key_mismatch'
  | 'token_revoked'
  | 'session_ended'
  | 'client_credentials_issued'
  | 'client_metadata_fetched'
  | 'client_metadata_refused'
  | 'management_change'
  | 'client_registered'
  | 'client_registration_deleted'
  | 'client_expired'
  | 'keys_rotated'
  | 'keys_withdrawn'
  | 'second_factor_required'
  | 'second_factor_succeeded'
  | 'second_factor_failed'
  | 'second_factor_enrolled'
  | 'second_factor_removed'
  | 'federated_login'
  | 'federated_login_failed'
  | 'identity_linked'
  | 'identity_unlinked';

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

/** An event on its way through the queue, with the time it happened (ms). */
export interface AuditMessage extends AuditEvent {
  at: number;
}

/**
 * Writes each event twice: one JSON line to the Workers log (for Logpush and `wrangler tail`) and
 * one message on the audit queue, which the same worker consumes in batches into D1 (queryable
 * through the Management API; src/audit/audit-consumer.ts). The send happens after the response,
 * through waitUntil, so no request waits on or pays for a D1 insert; a failed send is logged and
 * never fails the request it describes.
 */
export function auditorFor(env: Env, waitUntil: (promise: Promise<unknown>) => void): Auditor {
  return (event) => {
    const at = Date.now();
    console.log(JSON.stringify({ audit: event.event, at: new Date(at).toISOString(), ...event, event: undefined }));
    const message: AuditMessage = { ...event, at };
    waitUntil(env.AUDIT_EVENTS.send(message).catch((error: unknown) => console.error(JSON.stringify({ event: 'audit_send_failed', message: String(error) }))));
  };
}

/** The cron's retention job. */
export async function deleteAuditEventsBefore(env: Env, cutoff: Date): Promise<void> {
  await database(env).delete(auditEvents).where(lt(auditEvents.at, cutoff)).run();
}
