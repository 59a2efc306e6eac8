import { Hono } from 'hono/tiny';
import * as v from 'valibot';
import { SIGNING_ALGS } from '../crypto/jwt';
import { signingKeyStore } from '../durable-objects/signing-key-store';
import { forgetCachedKeys } from '../tokens/key-cache';
import { ApiError, notFound } from '../errors/api-error';
import { requireScope, type ManagementEnv } from './authorize-management';
import { keyJson } from './serialize';
import { parseBody } from './validation';

const Rotate = v.strictObject({
  algs: v.optional(v.pipe(v.array(v.picklist(SIGNING_ALGS)), v.minLength(1)), [...SIGNING_ALGS]),
  /**
   * Promote the next key even if it was published moments ago. The old key stays trusted while its
   * tokens may be valid; a compromised key is withdrawn instead (POST /keys/:kid/withdraw).
   */
  force: v.optional(v.boolean(), false),
});

export const keyRoutes = new Hono<ManagementEnv>()
  .get('/', requireScope('read:keys'), async (c) => c.json({ items: (await signingKeyStore(c.env).summaries()).map(keyJson) }))
  .post('/rotate', requireScope('rotate:keys'), async (c) => {
    // An empty body means the defaults: every algorithm, not forced.
    const input = c.req.header('Content-Length') === '0' || !c.req.header('Content-Type') ? v.parse(Rotate, {}) : await parseBody(c, Rotate);
    const result = await signingKeyStore(c.env).rotate(input.algs, input.force);
    if (!result.ok) throw new ApiError(409, 'rotation_refused', `${result.reason}; retry later, or send "force": true (a compromised key is withdrawn instead).`);
    // This isolate signs with the new key at once; the others within the key cache's lifetime.
    forgetCachedKeys();
    c.var.audit({ event: 'keys_rotated', actor: c.get('actor'), detail: { algs: input.algs.join(','), force: input.force } });
    return c.json({ items: result.keys.map(keyJson) });
  })
  // A compromised key: unpublished and refused at once, unlike a rotated one, which stays trusted
  // while its tokens may be valid. A withdrawn current key is replaced by the next one.
  .post('/:kid/withdraw', requireScope('rotate:keys'), async (c) => {
    const kid = c.req.param('kid') ?? '';
    const result = await signingKeyStore(c.env).withdraw(kid);
    if (!result.ok && result.code === 'ERR_KEY_UNKNOWN') throw notFound('key');
    if (!result.ok) throw new ApiError(409, 'conflict', 'This key is already withdrawn.');
    // This isolate stops trusting the key at once; the others within WITHDRAWAL_CHECK_MS.
    forgetCachedKeys();
    const { withdrawn } = result;
    c.var.audit({ event: 'keys_withdrawn', actor: c.get('actor'), detail: { kid: withdrawn.kid, alg: withdrawn.alg } });
    return c.json({ withdrawn: keyJson(withdrawn), items: result.keys.map(keyJson) });
  });
