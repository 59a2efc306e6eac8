/**
 * Brute-force limits on the login form (RFC 9700 section 4.16 on credential guessing, OWASP's
 * authentication guidance): failures are counted per account and per client IP; past a threshold
 * within the window, each further failure doubles the time the counter stays locked.
 */
export interface ThrottlePolicy {
  /** Failures within the window before the counter locks. */
  threshold: number;
  windowMs: number;
  /** The lock after the threshold-th failure; it doubles with each further failure, up to the window. */
  baseLockMs: number;
}

const MINUTE = 60_000;

/** 5 failures in 15 minutes lock an account for 1 minute, then 2, 4, 8, up to 15. */
export const ACCOUNT_POLICY: ThrottlePolicy = { threshold: 5, windowMs: 15 * MINUTE, baseLockMs: MINUTE };

/**
 * Higher per IP: mobile carriers put many users behind one address (carrier-grade NAT), and the
 * per-account limit already stops guessing at one account.
 */
export const IP_POLICY: ThrottlePolicy = { threshold: 30, windowMs: 15 * MINUTE, baseLockMs: MINUTE };

/** The failures still inside the window, oldest first. */
export function recentFailures(failures: readonly number[], policy: ThrottlePolicy, now: number): number[] {
  return failures.filter((at) => at > now - policy.windowMs);
}

/** When the counter unlocks (0 when it is not locked). */
export function lockedUntil(failures: readonly number[], policy: ThrottlePolicy, now: number): number {
  const recent = recentFailures(failures, policy, now);
  if (recent.length < policy.threshold) return 0;
  const doublings = Math.min(recent.length - policy.threshold, 20);
  const lockMs = Math.min(policy.baseLockMs * 2 ** doublings, policy.windowMs);
  return recent[recent.length - 1]! + lockMs;
}

/** Records a failure, keeping only what the policy can still count. */
export function withFailure(failures: readonly number[], policy: ThrottlePolicy, now: number): number[] {
  return [...recentFailures(failures, policy, now), now].slice(-policy.threshold * 4);
}
