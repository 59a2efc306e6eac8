import { createExecutionContext, createScheduledController, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signingKeyStore, type KeyMaterial, type SigningKeyStore } from '../src/durable-objects/signing-key-store';
import { scheduled } from '../src/scheduled';
import { ISSUER } from './helpers/fixtures';
import { freshIp } from './helpers/values';
import { call, form } from './helpers/http';
import { loginAs, redeem, refresh, signInForTokens } from './helpers/flow';
import { expectLoginRefused, expectOAuthError, expectTokenResponse } from './helpers/assertions';
import { type AuditEventJson, createClient, createUser, eventNames, expectApiError, expectInvalidFields, management, MANAGEMENT_AUDIENCE, managementToken, ok, type Page, waitForAudit } from './helpers/management';

interface KeySummaryJson {
  kid: string;
  alg: 'ES256' | 'RS256';
  status: 'next' | 'current' | 'previous' | 'retired' | 'withdrawn';
  [member: string]: unknown;
}

const PRIVATE_MEMBERS = /"(d|p|q|dp|dq|qi|k|privateJwk|private_jwk)"/;
const DAY_MS = 86_400_000;

async function keys(): Promise<KeySummaryJson[]> {
  return (await ok<{ items: KeySummaryJson[] }>(await management('GET', '/keys'))).items;
}

const kidOf = (items: KeySummaryJson[], alg: string, status: string) => items.find((k) => k.alg === alg && k.status === status)?.kid;

async function publishedJwks() {
  const response = await call('/.well-known/jwks.json');
  const text = await response.text();
  expect(text).not.toMatch(PRIVATE_MEMBERS);
  return createLocalJWKSet(JSON.parse(text) as { keys: [] });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('GET /api/v1/keys', () => {
  it('lists a current and a next key per algorithm, without any private member', async () => {
    const response = await management('GET', '/keys');
    const text = await response.clone().text();
    const { items } = await ok<{ items: KeySummaryJson[] }>(response);
    expect(text).not.toMatch(PRIVATE_MEMBERS);
    for (const alg of ['ES256', 'RS256']) {
      expect(kidOf(items, alg, 'current')).toEqual(expect.any(String));
      expect(kidOf(items, alg, 'next')).toEqual(expect.any(String));
    }
    for (const key of items) expect(Object.keys(key).every((name) => /^[a-zA-Z_]+$/.test(name))).toBe(true);
  });

  // Regression: the summaries were sent as the Durable Object keeps them, in camelCase, unlike
  // every other body of the API.
  it('describes each key in snake_case: kid, alg, status and its lifecycle times', async () => {
    for (const key of await keys()) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'created_at', 'demoted_at', 'kid', 'promoted_at', 'status', 'withdrawn_at']);
      expect(new Date(key.created_at as string).toISOString()).toBe(key.created_at);
      if (key.status === 'next') expect(key.promoted_at).toBeNull();
      if (key.status === 'current') expect(key.promoted_at).toEqual(expect.any(String));
    }
  });
});

describe('POST /api/v1/keys/rotate', () => {
  it('with force, promotes next at once: new tokens carry its kid, older tokens still verify against the JWKS', async () => {
    const before = await keys();
    const oldToken = await managementToken(['read:keys', 'read:clients']);
    const oldKid = decodeProtectedHeader(oldToken).kid;
    expect(oldKid).toBe(kidOf(before, 'ES256', 'current'));
    const promoted = kidOf(before, 'ES256', 'next')!;

    const rotated = await ok<{ items: KeySummaryJson[] }>(await management('POST', '/keys/rotate', { algs: ['ES256'], force: true }));
    expect(JSON.stringify(rotated)).not.toMatch(PRIVATE_MEMBERS);
    expect(kidOf(rotated.items, 'ES256', 'current')).toBe(promoted);
    expect(rotated.items.find((k) => k.kid === oldKid)).toMatchObject({ status: 'previous', demoted_at: expect.any(String) });
    expect(kidOf(rotated.items, 'ES256', 'next')).not.toBe(promoted);
    // Only the algorithm asked for.
    expect(kidOf(rotated.items, 'RS256', 'current')).toBe(kidOf(before, 'RS256', 'current'));
    expect(await keys()).toEqual(rotated.items);

    const newToken = await managementToken(['read:keys']);
    expect(decodeProtectedHeader(newToken).kid).toBe(promoted);
    const jwks = await publishedJwks();
    for (const token of [oldToken, newToken]) {
      const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: MANAGEMENT_AUDIENCE, typ: 'at+jwt' });
      expect(payload.sub).toBe('dev-admin');
    }
    // The token signed before the rotation still opens the Management API.
    expect((await management('GET', '/clients?per_page=1', undefined, oldToken)).status).toBe(200);
  });

  it('without force, refuses while the next key is younger than the publish-ahead time (409 rotation_refused)', async () => {
    // A forced rotation first, so the next key is known to be brand new.
    await ok(await management('POST', '/keys/rotate', { algs: ['ES256', 'RS256'], force: true }));
    const before = await keys();
    const refused = await expectApiError(await management('POST', '/keys/rotate', {}), 409, 'rotation_refused');
    expect(refused.error_description).toMatch(/force/);
    await expectApiError(await management('POST', '/keys/rotate', { algs: ['RS256'], force: false }), 409, 'rotation_refused');
    expect(await keys()).toEqual(before);
  });

  it.each([
    ['an empty algs list', { algs: [] }, ['algs']],
    ['an unknown algorithm', { algs: ['ES256', 'HS256'] }, ['algs.1']],
    ['force as a string', { force: 'yes' }, ['force']],
    ['an unknown field', { now: true }, ['now']],
  ])('refuses %s with 400 and rotates nothing', async (_name, body, paths) => {
    const before = await keys();
    await expectInvalidFields(await management('POST', '/keys/rotate', body), paths);
    expect(await keys()).toEqual(before);
  });

  it('answers a body that is not a JSON object with a 4xx', async () => {
    for (const body of ['', 'force=true', '[true]']) {
      const response = await management('POST', '/keys/rotate', body);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
  });
});

describe('GET /api/v1/audit-events', () => {
  it('records sign-ins, codes, refreshes, reuse, replay, revocation, logout and management changes, free of secrets', async () => {
    const since = new Date(Date.now() - 1).toISOString();
    const logged: string[] = [];
    const log = console.log.bind(console);
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
      log(...args);
    });

    const user = await createUser();
    const client = await createClient({ type: 'confidential', grant_types: ['client_credentials'] });
    await ok(await management('PATCH', `/users/${user.id}`, { name: 'Audited' }));
    await expectLoginRefused((await loginAs(user.email, 'wrong-password-1')).response);
    const first = await signInForTokens({ scope: 'openid offline_access read:items' }, { ...user, ip: freshIp() });
    const second = await expectTokenResponse(await refresh(first.refresh_token!));
    await expectOAuthError(await refresh(first.refresh_token!), 400, 'invalid_grant');
    const other = await signInForTokens({ scope: 'openid offline_access read:items' }, { ...user, ip: freshIp() });
    expect((await call('/oauth/revoke', form({ token: other.refresh_token!, client_id: 'demo-app' }))).status).toBe(200);
    await expectOAuthError(await redeem(other.issued), 400, 'invalid_grant');
    const logout = await call(`/logout?id_token_hint=${other.id_token!}`, { headers: { Cookie: other.sessionCookie } });
    expect(logout.status).toBe(200);

    const grantOf = (handle: string) => handle.split('.')[1]!;
    const [firstGrant, otherGrant] = [grantOf(first.refresh_token!), grantOf(other.refresh_token!)];

    const mine = await waitForAudit(`user_id=${user.id}&since=${since}`, (items) =>
      // A sign-in and the code it leads to are one event (login_succeeded, with the grant id).
      // Events reach D1 through the queue, in batches: wait for all of them, not the first of each kind.
      ['login_succeeded', 'code_redeemed', 'token_refreshed'].every((e) => eventNames(items).includes(e)) &&
      items.filter((e) => e.event === 'login_succeeded').length === 2 &&
      items.filter((e) => e.event === 'management_change').length === 2,
    );
    expect(mine.filter((e) => e.event === 'login_succeeded')).toHaveLength(2);
    expect(mine.find((e) => e.event === 'login_succeeded')).toMatchObject({ actor: `user:${user.id}`, client_id: 'demo-app' });
    expect(mine.filter((e) => e.event === 'login_succeeded').map((e) => e.grant_id).sort()).toEqual([firstGrant, otherGrant].sort());
    expect(mine.find((e) => e.event === 'token_refreshed')).toMatchObject({ client_id: 'demo-app', grant_id: firstGrant });
    const changes = mine.filter((e) => e.event === 'management_change');
    for (const change of changes) expect(change.actor).toBe('client:dev-admin');
    expect(changes.map((e) => e.detail)).toEqual([
      expect.objectContaining({ resource: 'user', action: 'update', fields: 'name' }),
      expect.objectContaining({ resource: 'user', action: 'create' }),
    ]);

    const app = await waitForAudit(`client_id=demo-app&since=${since}`, (items) =>
      ['login_failed', 'refresh_token_reuse_detected', 'token_revoked', 'code_replay_detected'].every((e) => eventNames(items).includes(e)),
    );
    expect(app.find((e) => e.event === 'refresh_token_reuse_detected')?.grant_id).toBe(firstGrant);
    expect(app.find((e) => e.event === 'token_revoked')).toMatchObject({ grant_id: otherGrant, detail: { token_type: 'refresh_token' } });
    expect(app.find((e) => e.event === 'code_replay_detected')?.grant_id).toBe(otherGrant);
    await waitForAudit(`event=session_ended&since=${since}`, (items) => items.length > 0);
    const created = await waitForAudit(`client_id=${client.id}`, (items) => items.length === 1);
    expect(created[0]).toMatchObject({ event: 'management_change', actor: 'client:dev-admin', detail: { resource: 'client', action: 'create' } });

    // Nothing secret in any row, nor in any log line.
    const rows = JSON.stringify((await env.DB.prepare('SELECT * FROM audit_events').all()).results);
    const secrets = [
      user.password,
      'wrong-password-1',
      user.email,
      client.client_secret!,
      'dev-admin-secret',
      ...[first, other].flatMap((t) => [t.issued.code, t.issued.verifier, t.access_token, t.id_token!, t.refresh_token!, t.sessionCookie.split('=')[1]!]),
      second.access_token,
      second.refresh_token!,
      ...[first.issued.code, first.refresh_token!, second.refresh_token!].map((handle) => handle.split('.')[2]!),
    ];
    const auditLines = logged.filter((line) => line.startsWith('{"audit"'));
    expect(auditLines.length).toBeGreaterThanOrEqual(10);
    for (const line of auditLines) expect(() => JSON.parse(line)).not.toThrow();
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(rows).not.toContain(secret);
      for (const line of auditLines) expect(line).not.toContain(secret);
    }
  });

  it('filters by event and time, lists newest first, and pages', async () => {
    const user = await createUser();
    for (const name of ['One', 'Two', 'Three']) await ok(await management('PATCH', `/users/${user.id}`, { name }));
    const all = await waitForAudit(`user_id=${user.id}`, (items) => items.length === 4);
    const times = all.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all.at(-1)!.detail).toMatchObject({ action: 'create' });

    const query = `/audit-events?user_id=${user.id}&event=management_change`;
    const page0 = await ok<Page<AuditEventJson>>(await management('GET', `${query}&per_page=3`));
    const page1 = await ok<Page<AuditEventJson>>(await management('GET', `${query}&per_page=3&page=1`));
    expect(page0).toMatchObject({ page: 0, per_page: 3, total: 4 });
    expect([...page0.items, ...page1.items].map((e) => e.id)).toEqual(all.map((e) => e.id));

    const first = all.at(-1)!.at;
    const since = await ok<Page<AuditEventJson>>(await management('GET', `/audit-events?user_id=${user.id}&since=${all[2]!.at}`));
    expect(since.items.map((e) => e.id)).toEqual(all.slice(0, 3).map((e) => e.id));
    const until = await ok<Page<AuditEventJson>>(await management('GET', `/audit-events?user_id=${user.id}&until=${first}`));
    expect(until).toMatchObject({ items: [], total: 0 });
    const other = await ok<Page<AuditEventJson>>(await management('GET', `/audit-events?user_id=${user.id}&event=login_failed`));
    expect(other.total).toBe(0);
  });

  it.each([
    ['since=yesterday', ['since']],
    ['until=2026-13-45', ['until']],
    ['per_page=1000', ['per_page']],
  ])('refuses ?%s with 400 naming the parameter', async (query, paths) => {
    await expectInvalidFields(await management('GET', `/audit-events?${query}`), paths);
  });
});

describe('the scheduled handler (cron)', () => {
  async function runCron(): Promise<void> {
    const ctx = createExecutionContext();
    await scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '17 3 * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
  }

  it('rotates keys older than KEY_ROTATION_DAYS and records keys_rotated by the system', async () => {
    const since = new Date(Date.now() - 1).toISOString();
    const tokenBefore = await managementToken(['read:keys', 'read:audit']);
    const before = await keys();
    // Age every key past the 30-day period (wrangler.toml), as if the store had run that long.
    await runInDurableObject(signingKeyStore(env), (_instance: SigningKeyStore, state) => {
      const material = state.storage.kv.get<KeyMaterial>('material')!;
      const aged = material.signingKeys.map((k) => ({
        ...k,
        createdAt: k.createdAt - 31 * DAY_MS,
        ...(k.promotedAt ? { promotedAt: k.promotedAt - 31 * DAY_MS } : {}),
      }));
      state.storage.kv.put('material', { ...material, signingKeys: aged });
    });
    await runCron();

    const after = await keys();
    for (const alg of ['ES256', 'RS256']) {
      expect(kidOf(after, alg, 'current')).toBe(kidOf(before, alg, 'next'));
      expect(after.find((k) => k.kid === kidOf(before, alg, 'current'))?.status).toBe('previous');
    }
    const [event] = await waitForAudit(`event=keys_rotated&since=${since}`, (items) => items.some((e) => e.actor === 'system'));
    expect(event).toMatchObject({ actor: 'system', client_id: null, user_id: null, detail: { scheduled: true } });
    expect(String(event!.detail!.algs).split(',').sort()).toEqual(['ES256', 'RS256']);
    // A token signed before still verifies and works.
    expect((await management('GET', '/keys', undefined, tokenBefore)).status).toBe(200);
    // Nothing left to do on the next run.
    await runCron();
    expect(await keys()).toEqual(after);
  });

  it('deletes audit events older than AUDIT_RETENTION_DAYS and keeps recent ones', async () => {
    const insert = env.DB.prepare(`INSERT INTO audit_events (id, at, event, actor) VALUES (?, ?, 'login_failed', 'retention-test')`);
    const now = Date.now();
    await env.DB.batch([
      insert.bind('old-1', now - 31 * DAY_MS),
      insert.bind('old-2', now - 400 * DAY_MS),
      insert.bind('recent-1', now - 29 * DAY_MS),
      insert.bind('recent-2', now - 1000),
    ]);
    await runCron();
    const left = await env.DB.prepare(`SELECT id FROM audit_events WHERE actor = 'retention-test' ORDER BY id`).all<{ id: string }>();
    expect(left.results.map((r) => r.id)).toEqual(['recent-1', 'recent-2']);
  });
});
