import { DurableObject } from 'cloudflare:workers';
import { lockedUntil, withFailure, type ThrottlePolicy } from '../oauth/login-throttle';

/**
 * One counter of failed logins, for one account or one client IP: in its own object so that
 * concurrent attempts cannot race past the limit.
 */
export class LoginThrottleStore extends DurableObject<Env> {
  private failures(): number[] {
    return this.ctx.storage.kv.get<number[]>('failures') ?? [];
  }

  /** Whether the counter is locked now, and whether it holds failures a success should clear. */
  async status(policy: ThrottlePolicy): Promise<{ locked: boolean; hasFailures: boolean }> {
    const failures = this.failures();
    return { locked: lockedUntil(failures, policy, Date.now()) > Date.now(), hasFailures: failures.length > 0 };
  }

  async recordFailure(policy: ThrottlePolicy): Promise<void> {
    const now = Date.now();
    this.ctx.storage.kv.put('failures', withFailure(this.failures(), policy, now));
    // Forgotten once the window has passed since the last failure.
    await this.ctx.storage.setAlarm(now + policy.windowMs);
  }

  async reset(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

/** Counters are named by kind, so an email address can never collide with an IP address. */
export function loginThrottle(env: Env, kind: 'account' | 'ip', key: string): DurableObjectStub<LoginThrottleStore> {
  return env.LOGIN_THROTTLES.get(env.LOGIN_THROTTLES.idFromName(`${kind}:${key}`));
}
