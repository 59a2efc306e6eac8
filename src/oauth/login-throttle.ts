/**
 * Brute-force limits on the login form (RFC 9700 section 4.16 on credential guessing, OWASP's
 * authentication guidance): attempts are counted per account and per client network; past a
 * threshold within the window, each further failure doubles the time the counter stays locked.
 */
export interface ThrottlePolicy {
  /** Failures within the window before the counter locks. */
  threshold: number;
  windowMs: number;
  /** The lock after the threshold-th failure; it doubles with each further failure, up to the window. */
  baseLockMs: number;
  /**
   * At most this many failures plus attempts still being checked: guesses sent at once cannot all
   * be evaluated before the first failure is recorded. Above the threshold, so that people signing
   * in at the same moment (a double tap; many users behind one carrier NAT) are not refused.
   */
  burstLimit: number;
}

const MINUTE = 60_000;

/** 5 failures in 15 minutes lock an account for 1 minute, then 2, 4, 8, up to 15. */
export const ACCOUNT_POLICY: ThrottlePolicy = { threshold: 5, windowMs: 15 * MINUTE, baseLockMs: MINUTE, burstLimit: 8 };

/**
 * Higher per network: mobile carriers put many users behind one address (carrier-grade NAT), and
 * the per-account limit already stops guessing at one account.
 */
export const IP_POLICY: ThrottlePolicy = { threshold: 30, windowMs: 15 * MINUTE, baseLockMs: MINUTE, burstLimit: 100 };

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

/** Whether a new attempt must be refused: the counter is locked, or too many are already in flight. */
export function isRefused(failures: readonly number[], inFlight: number, policy: ThrottlePolicy, now: number): boolean {
  return lockedUntil(failures, policy, now) > now || recentFailures(failures, policy, now).length + inFlight >= policy.burstLimit;
}

/**
 * The key a client address is counted under. An IPv6 client holds at least a /64, so it could
 * send each guess from a new address: IPv6 is counted by its /64 prefix.
 */
export function networkKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
