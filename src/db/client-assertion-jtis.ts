import { lt } from 'drizzle-orm';
import { database } from './client';
import { clientAssertionJtis } from './schema';

/**
 * Remembers an assertion's `jti` until it expires; false when the client already used it. One D1
 * write: the primary key decides, so of two concurrent uses exactly one inserts.
 */
export async function rememberAssertionJti(env: Env, clientId: string, jti: string, expiresAt: Date): Promise<boolean> {
  const result = await database(env).insert(clientAssertionJtis).values({ clientId, jti, expiresAt }).onConflictDoNothing().run();
  return result.meta.changes === 1;
}

/** The cron's clean-up: an expired assertion is refused by its `exp` anyway. */
export async function deleteExpiredAssertionJtis(env: Env, now: Date): Promise<void> {
  await database(env).delete(clientAssertionJtis).where(lt(clientAssertionJtis.expiresAt, now)).run();
}
