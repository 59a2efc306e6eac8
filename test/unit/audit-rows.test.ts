/** Audit rows from a batch of queued events (src/audit/audit-rows.ts): failed sign-ins are aggregated. */
import { describe, expect, it } from 'vitest';
import type { AuditMessage } from '../../src/audit/audit-log';
import { auditRows, FAILURE_WINDOW_MS } from '../../src/audit/audit-rows';
import { MINUTE, T0 } from './clock';

const failure = (at: number, account: string, network: string): AuditMessage => ({
  event: 'login_failed',
  at,
  clientId: 'demo-app',
  detail: { reason: 'failed', account, network },
});

describe('auditRows', () => {
  it('keeps every other event as a row of its own', () => {
    const { rows, failures } = auditRows([
      { event: 'login_succeeded', at: T0, userId: 'user_a', clientId: 'demo-app', grantId: 'g' },
      { event: 'token_refreshed', at: T0 + 1, userId: 'user_a', clientId: 'demo-app', grantId: 'g' },
    ]);
    expect(rows.map((row) => row.event)).toEqual(['login_succeeded', 'token_refreshed']);
    expect(new Set(rows.map((row) => row.id)).size).toBe(2);
    expect(failures).toEqual([]);
  });

  it('counts failures per account, network and window in one row with a key-derived id', () => {
    const window = Math.floor(T0 / FAILURE_WINDOW_MS) * FAILURE_WINDOW_MS;
    const { rows, failures } = auditRows([
      ...Array.from({ length: 40 }, (_, i) => failure(window + i, 'user_a', '198.51.100.7')),
      failure(window + 1, 'user_b', '198.51.100.7'),
      failure(window + 2, 'user_a', '2001:db8::/64'),
      failure(window + FAILURE_WINDOW_MS, 'user_a', '198.51.100.7'),
    ]);
    expect(rows).toEqual([]);
    expect(failures.map((row) => [row.id, row.detail?.count])).toEqual([
      [`login_failed:${window}:user_a:198.51.100.7`, 40],
      [`login_failed:${window}:user_b:198.51.100.7`, 1],
      [`login_failed:${window}:user_a:2001:db8::/64`, 1],
      [`login_failed:${window + FAILURE_WINDOW_MS}:user_a:198.51.100.7`, 1],
    ]);
    // Dated by the first failure it counts.
    expect(failures[0]!.at.getTime()).toBe(window);
    expect(failures[3]!.at.getTime()).toBe(window + FAILURE_WINDOW_MS);
    expect(JSON.stringify(failures)).not.toMatch(/password|email/);
  });

  it('groups events whatever order the batch has them in', () => {
    const a = failure(T0, 'x', 'n');
    const b = failure(T0 + MINUTE, 'x', 'n');
    expect(auditRows([a, b]).failures[0]!.detail?.count).toBe(2);
  });
});
