import { DurableObject } from 'cloudflare:workers';
import { usablePushedRequest, type PushedRequest } from '../oauth/pushed-request';

const REQUEST = 'request';

/**
 * One small object per pushed authorization request (RFC 9126), named by its request_uri. It is
 * written once by /par and read once by /authorize: `take` reads and deletes with no await in
 * between, so the first presentation uses the request and every later one finds nothing. An alarm
 * at the expiry deletes a request nobody came for.
 */
export class PushedRequestStore extends DurableObject<Env> {
  async push(request: PushedRequest): Promise<void> {
    this.ctx.storage.kv.put(REQUEST, request);
    await this.ctx.storage.setAlarm(request.expiresAt);
  }

  /** The request, once, unless it expired; undefined for one never pushed, used or expired. */
  async take(): Promise<PushedRequest | undefined> {
    const stored = this.ctx.storage.kv.get<PushedRequest>(REQUEST);
    if (stored === undefined) return undefined;
    this.ctx.storage.kv.delete(REQUEST);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    return usablePushedRequest(stored, Date.now());
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

function pushedRequestStore(env: Env, requestUri: string): DurableObjectStub<PushedRequestStore> {
  return env.PUSHED_REQUESTS.get(env.PUSHED_REQUESTS.idFromName(requestUri));
}

/** Stores a pushed request under its request_uri: one call. */
export async function storePushedRequest(env: Env, requestUri: string, request: PushedRequest): Promise<void> {
  await pushedRequestStore(env, requestUri).push(request);
}

/** Uses a pushed request: one call; undefined when it is unknown, used or expired. */
export function takePushedRequest(env: Env, requestUri: string): Promise<PushedRequest | undefined> {
  return pushedRequestStore(env, requestUri).take();
}
