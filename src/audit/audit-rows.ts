import { randomToken } from '../crypto/random';
import type { AuditMessage } from './audit-log';

/** Failed sign-ins are counted per account and network in windows of this length. */
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;

export interface AuditRow {
  id: string;
  at: Date;
  event: string;
  actor: string | null;
  clientId: string | null;
  userId: string | null;
  grantId: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * The rows a batch of events becomes. Every event is a row of its own, except failed sign-ins:
 * they are aggregated per account (user id, or a hash prefix of an unknown email), network and
 * window into one row that counts them, so a guessing campaign grows the log by one row per
 * account and window, however many guesses it sends. The aggregate's id is derived from its key,
 * so rows of later batches add to it. (Each attempt's reason is in its log line.)
 */
export function auditRows(messages: readonly AuditMessage[]): { rows: AuditRow[]; failures: AuditRow[] } {
  const rows: AuditRow[] = [];
  const failures = new Map<string, AuditRow>();
  for (const message of messages) {
    const base = { actor: message.actor ?? null, clientId: message.clientId ?? null, userId: message.userId ?? null, grantId: message.grantId ?? null };
    if (message.event !== 'login_failed') {
      rows.push({ id: randomToken(12), at: new Date(message.at), event: message.event, ...base, detail: message.detail ?? null });
      continue;
    }
    const window = Math.floor(message.at / FAILURE_WINDOW_MS) * FAILURE_WINDOW_MS;
    const account = String(message.detail?.account ?? 'unknown');
    const network = String(message.detail?.network ?? 'unknown');
    const id = `login_failed:${window}:${account}:${network}`;
    const seen = failures.get(id);
    const count = ((seen?.detail?.count as number | undefined) ?? 0) + 1;
    // The row is dated by its first failure; later ones only add to its count.
    failures.set(id, { id, at: seen?.at ?? new Date(message.at), event: 'login_failed', ...base, detail: { account, network, count } });
  }
  return { rows, failures: [...failures.values()] };
}
