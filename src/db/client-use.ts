import type { ClientRow } from './schema';
import { markClientUsed } from './clients';
import { TtlCache } from './ttl-cache';

const DAY_MS = 86_400_000;

/** Clients this isolate marked as used in the last day: keyed by authenticated client ids only. */
const markedToday = new TtlCache<true>();

/**
 * Records that a dynamically registered client was used (a code redeemed, a token refreshed), so
 * the cron does not expire it. At most one D1 write per client a day in each isolate, after the
 * response (waitUntil), and none when the cached row already shows a use within the day: a token
 * request never waits on D1 for it. Operator-made clients never expire and are not tracked.
 */
export function recordClientUse(env: Env, client: ClientRow, waitUntil: (promise: Promise<unknown>) => void, now = new Date()): void {
  if (client.registration !== 'dynamic') return;
  if (client.lastUsedAt && now.getTime() - client.lastUsedAt.getTime() < DAY_MS) return;
  if (markedToday.get(client.id, now.getTime())) return;
  markedToday.set(client.id, true, DAY_MS, now.getTime());
  waitUntil(
    markClientUsed(env, client.id, now, DAY_MS).catch((error: unknown) =>
      console.error(JSON.stringify({ event: 'client_use_not_recorded', client_id: client.id, message: String(error) })),
    ),
  );
}
