/**
 * Brute-force limits on the login form (RFC 9700 section 4.16 on credential guessing, OWASP's
 * authentication guidance): failures are counted per account, in the user's object; past a
 * threshold within the window, each further failure doubles the time the account stays locked.
 * Attempts per client network are limited by the platform's Rate Limiting binding (wrangler.toml).
 */
export interface ThrottlePolicy {
  /** Failures within the window before the account locks. */
  threshold: number;
  windowMs: number;
  /** The lock after the threshold-th failure; it doubles with each further failure, up to the window. */
  baseLockMs: number;
}

const MINUTE = 60_000;

/**
 * 5 failures in 15 minutes lock an account for 1 minute, then 2, 4, 8, up to 15. Each attempt is
 * decided in the user's object in arrival order, so a burst of guesses sent at once gets no more
 * than the threshold evaluated.
 */
export const ACCOUNT_POLICY: ThrottlePolicy = { threshold: 5, windowMs: 15 * MINUTE, baseLockMs: MINUTE };

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
