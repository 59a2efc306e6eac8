import { eq, lt } from 'drizzle-orm';
import { database } from './client';
import { revokedTokens } from './schema';

/** Remembers a revoked client-credentials token until it expires; revoking twice is harmless. */
export async function revokeMachineToken(env: Env, jti: string, clientId: string, expiresAt: Date): Promise<void> {
  await database(env).insert(revokedTokens).values({ jti, clientId, expiresAt }).onConflictDoNothing().run();
}

/** Read on every check, not cached: a revocation takes effect at once everywhere. */
export async function isMachineTokenRevoked(env: Env, jti: string): Promise<boolean> {
  return (await database(env).select({ jti: revokedTokens.jti }).from(revokedTokens).where(eq(revokedTokens.jti, jti)).get()) !== undefined;
}

/** The cron's clean-up: an expired token needs no revocation record. */
export async function deleteExpiredRevocations(env: Env, now: Date): Promise<void> {
  await database(env).delete(revokedTokens).where(lt(revokedTokens.expiresAt, now)).run();
}
