import { drizzle } from 'drizzle-orm/d1';

/** The core query builder: every lookup here reads one table by key. */
export function database(env: Env) {
  return drizzle(env.DB);
}
