import { Hono } from 'hono/tiny';
import * as v from 'valibot';
import { userStore } from '../durable-objects/user-store';
import type { FactorAnswer } from '../durable-objects/user-factors';
import type { FactorSummary } from '../oauth/second-factor';
import { requireScope, type ManagementEnv } from './authorize-management';
import { existingUserId } from './user-sessions';
import { idParam, parseBody } from './validation';

const isoMs = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** A user's second factors as operators see them: never the secret or a recovery code. */
function factorsJson(answer: FactorAnswer) {
  const factors: FactorSummary | undefined = answer.outcome === 'summary' ? answer.factors : undefined;
  return {
    totp: factors?.totp ? { created_at: isoMs(factors.totp.createdAt), last_used_at: isoMs(factors.totp.lastUsedAt) } : null,
    recovery_codes_left: factors?.recoveryCodesLeft ?? 0,
    mfa_required: factors?.mfaRequired ?? false,
  };
}

const UpdateFactors = v.strictObject({ mfa_required: v.boolean() });

/**
 * A user's second factors, from the user's object: list them, reset them (the authenticator app and
 * the recovery codes are forgotten: the user signs in with the password and, where a second factor
 * is required, enrols again), and require one of this user whatever the client.
 */
export const userMfaRoutes = new Hono<ManagementEnv>()
  .get('/:id/factors', requireScope('read:users'), async (c) => {
    const userId = await existingUserId(c.env, idParam(c));
    return c.json(factorsJson(await userStore(c.env, userId).secondFactor({ op: 'summary' })));
  })
  .patch('/:id/factors', requireScope('update:users'), async (c) => {
    const userId = await existingUserId(c.env, idParam(c));
    const input = await parseBody(c, UpdateFactors);
    const answer = await userStore(c.env, userId).secondFactor({ op: 'require', required: input.mfa_required });
    c.var.audit({ event: 'management_change', actor: c.get('actor'), userId, detail: { resource: 'factors', action: 'update', mfa_required: input.mfa_required } });
    return c.json(factorsJson(answer));
  })
  .delete('/:id/factors', requireScope('update:users'), async (c) => {
    const userId = await existingUserId(c.env, idParam(c));
    const answer = await userStore(c.env, userId).secondFactor({ op: 'remove' });
    c.var.audit({ event: 'second_factor_removed', actor: c.get('actor'), userId, detail: { method: 'totp', by: 'operator', had_factor: answer.outcome === 'removed' } });
    return c.body(null, 204);
  });
