import { DurableObject } from 'cloudflare:workers';
import { lockedUntil, networkKey, withFailure, withoutFailure, type ThrottlePolicy } from '../oauth/login-throttle';

/** An attempt counted in advance: `at` identifies it for a refund. */
export interface Reservation {
  locked: boolean;
  at: number;
}

/**
 * One counter of login attempts, for one account or one client network: in its own object, so
 * that concurrent attempts cannot race past the limit.
 */
export class LoginThrottleStore extends DurableObject<Env> {
  private failures(): number[] {
    return this.ctx.storage.kv.get<number[]>('failures') ?? [];
  }

  /**
   * Counts this attempt as a failure before the password is checked, in the same synchronous step
   * that reads the lock: a burst of guesses sent at once sees each other's reservations, so no more
   * than the threshold are ever evaluated. A success refunds its reservation.
   */
  async reserve(policy: ThrottlePolicy): Promise<Reservation> {
    const now = Date.now();
    const failures = this.failures();
    const locked = lockedUntil(failures, policy, now) > now;
    this.ctx.storage.kv.put('failures', withFailure(failures, policy, now));
    // Forgotten once the window has passed since the last attempt.
    await this.ctx.storage.setAlarm(now + policy.windowMs);
    return { locked, at: now };
  }

  /** A successful attempt: its own reservation is removed, the other failures stay. */
  async refund(at: number): Promise<void> {
    this.ctx.storage.kv.put('failures', withoutFailure(this.failures(), at));
  }

  /** A successful sign-in to the account clears its failures. */
  async reset(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

/** Counters are named by kind, so an email address can never collide with an address. */
export function loginThrottle(env: Env, kind: 'account' | 'ip', key: string): DurableObjectStub<LoginThrottleStore> {
  const name = kind === 'ip' ? networkKey(key) : key;
  return env.LOGIN_THROTTLES.get(env.LOGIN_THROTTLES.idFromName(`${kind}:${name}`));
}
