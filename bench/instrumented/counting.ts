import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Storage round trips per request, for the benchmark's round-trip table only (its CPU and latency
 * figures come from the uninstrumented worker). Wraps the worker's D1 databases and Durable Object
 * namespaces in counting proxies and reports, on every response:
 *
 *   x-bench-d1        D1 round trips (a statement executed, or a whole batch)
 *   x-bench-d1-sql    what they were, e.g. `select users` or `batch(select clients+select apis)`
 *   x-bench-do        Durable Object calls (each RPC method call or fetch on a stub)
 *   x-bench-do-calls  which, e.g. `GRANTS.redeemCode`
 *
 * Bindings are found by shape, so a binding added to wrangler.toml is counted without a change here.
 */

interface Counts {
  d1: string[];
  durableObjects: string[];
}

const requestCounts = new AsyncLocalStorage<Counts>();
/** Calls made outside any request's context (none are expected): reported on the next response. */
const unattributed: Counts = { d1: [], durableObjects: [] };
const current = () => requestCounts.getStore() ?? unattributed;

function describeSql(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '?';
  const table = /\b(?:from|into|update)\s+["`[]?(\w+)/i.exec(sql)?.[1] ?? '?';
  return `${verb} ${table}`;
}

type AnyFunction = (...args: unknown[]) => unknown;
const EXECUTE = new Set(['first', 'all', 'raw', 'run']);
/** The real statement and SQL behind each counting one: `batch` needs the real ones. */
const realStatements = new WeakMap<object, { statement: D1PreparedStatement; sql: string }>();

function countingStatement(statement: D1PreparedStatement, sql: string): D1PreparedStatement {
  const proxy = new Proxy(statement, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'bind') return (...args: unknown[]) => countingStatement(target.bind(...args), sql);
      if (typeof prop === 'string' && EXECUTE.has(prop)) {
        return (...args: unknown[]) => {
          current().d1.push(describeSql(sql));
          return (value as AnyFunction).apply(target, args);
        };
      }
      return (value as AnyFunction).bind(target);
    },
  });
  realStatements.set(proxy, { statement, sql });
  return proxy;
}

/** A D1Database or a D1DatabaseSession: both prepare and batch. */
function countingDatabase<T extends object>(database: T): T {
  return new Proxy(database, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const call = value as AnyFunction;
      switch (prop) {
        case 'prepare':
          return (sql: string) => countingStatement(call.call(target, sql) as D1PreparedStatement, sql);
        case 'batch':
          return (statements: D1PreparedStatement[]) => {
            const real = statements.map((s) => realStatements.get(s) ?? { statement: s, sql: '?' });
            current().d1.push(`batch(${real.map(({ sql }) => describeSql(sql)).join('+')})`);
            return call.call(target, real.map((r) => r.statement));
          };
        case 'exec':
          return (sql: string) => {
            current().d1.push(`exec ${describeSql(sql)}`);
            return call.call(target, sql);
          };
        case 'withSession':
          return (...args: unknown[]) => countingDatabase(call.apply(target, args) as object);
        default:
          return call.bind(target);
      }
    },
  });
}

function countingStub<T extends object>(stub: T, binding: string): T {
  return new Proxy(stub, {
    get(target, prop) {
      // Stubs answer any property name; only calls are round trips.
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof prop !== 'string' || prop === 'then' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        current().durableObjects.push(`${binding}.${prop}`);
        return (target as unknown as Record<string, AnyFunction>)[prop]!(...args);
      };
    },
  });
}

function countingNamespace<T extends object>(namespace: T, binding: string): T {
  return new Proxy(namespace, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const call = value as AnyFunction;
      if (prop === 'get' || prop === 'getByName') return (...args: unknown[]) => countingStub(call.apply(target, args) as object, binding);
      if (prop === 'jurisdiction') return (...args: unknown[]) => countingNamespace(call.apply(target, args) as object, binding);
      return call.bind(target);
    },
  });
}

const isFunction = (value: unknown, name: string) =>
  typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[name] === 'function';

/** One counting env per real env (one per isolate), so anything the worker caches by env identity still works. */
const countingEnvs = new WeakMap<object, object>();
function countingEnv<E extends object>(env: E): E {
  let wrapped = countingEnvs.get(env);
  if (!wrapped) {
    const copy = { ...env } as Record<string, unknown>;
    for (const [name, value] of Object.entries(copy)) {
      if (isFunction(value, 'prepare') && isFunction(value, 'batch')) copy[name] = countingDatabase(value as object);
      else if (isFunction(value, 'idFromName')) copy[name] = countingNamespace(value as object, name);
    }
    wrapped = copy;
    countingEnvs.set(env, wrapped);
  }
  return wrapped as E;
}

interface FetchHandler<E> {
  fetch(request: Request, env: E, ctx: ExecutionContext): Response | Promise<Response>;
}

/** The worker's handler with its `fetch` counted; its other handlers (scheduled, ...) are kept as they are. */
export function withStorageCounting<E extends object, H extends FetchHandler<E>>(handler: H): H {
  return {
    ...handler,
    async fetch(request: Request, env: E, ctx: ExecutionContext) {
      const counts: Counts = { d1: [], durableObjects: [] };
      const response = await requestCounts.run(counts, () => handler.fetch(request, countingEnv(env), ctx));
      const stray = unattributed.d1.splice(0).concat(unattributed.durableObjects.splice(0));
      const out = new Response(response.body, response);
      out.headers.set('x-bench-d1', String(counts.d1.length));
      out.headers.set('x-bench-d1-sql', counts.d1.join(','));
      out.headers.set('x-bench-do', String(counts.durableObjects.length));
      out.headers.set('x-bench-do-calls', counts.durableObjects.join(','));
      if (stray.length > 0) out.headers.set('x-bench-unattributed', stray.join(','));
      return out;
    },
  };
}
