import { DurableObject } from 'cloudflare:workers';
import { isRefused, networkKey, withFailure, type ThrottlePolicy } from '../oauth/login-throttle';

/** Attempts still being checked are forgotten after this long, should their outcome never arrive. */
const IN_FLIGHT_TTL_MS = 30_000;

/**
 * One counter of login attempts, for one account or one client network: in its own object, so
 * that concurrent attempts cannot race past the limit. Failures are stored; attempts in flight are
 * held in memory only, so a successful sign-in writes nothing.
 */
export class LoginThrottleStore extends DurableObject<Env> {
  private readonly inFlight = new Map<number, number>();
  private nextTicket = 0;

  private failures(): number[] {
    return this.ctx.storage.kv.get<number[]>('failures') ?? [];
  }

  private attemptsInFlight(now: number): number {
    for (const [ticket, startedAt] of this.inFlight) {
      if (startedAt <= now - IN_FLIGHT_TTL_MS) this.inFlight.delete(ticket);
    }
    return this.inFlight.size;
  }

  /**
   * Reads the lock and counts this attempt as in flight, in one synchronous step: a burst of
   * guesses sent at once sees its own attempts, so no more than the burst limit are evaluated.
   * Returns whether to refuse, and the ticket that `settle` takes.
   */
  async begin(policy: ThrottlePolicy): Promise<{ refused: boolean; ticket: number }> {
    const now = Date.now();
    const refused = isRefused(this.failures(), this.attemptsInFlight(now), policy, now);
    const ticket = ++this.nextTicket;
    this.inFlight.set(ticket, now);
    return { refused, ticket };
  }

  /**
   * The outcome of an attempt: a failure is stored (and forgotten after the window); a success
   * for an account clears it; a refused attempt only leaves the in-flight count.
   */
  async settle(ticket: number, outcome: 'failure' | 'success' | 'refused', policy: ThrottlePolicy, clearOnSuccess: boolean): Promise<void> {
    this.inFlight.delete(ticket);
    const now = Date.now();
    if (outcome === 'failure') {
      this.ctx.storage.kv.put('failures', withFailure(this.failures(), policy, now));
      await this.ctx.storage.setAlarm(now + policy.windowMs);
    } else if (outcome === 'success' && clearOnSuccess && this.ctx.storage.kv.get('failures') !== undefined) {
      await this.ctx.storage.deleteAll();
    }
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
