import { ne, or } from 'drizzle-orm';
import { database } from './client';
import { clients } from './schema';

/** Every client's native apps (one read of the clients that have any), for the association files. */
export async function nativeApps(env: Env): Promise<{ iosAppIds: string[]; androidPackages: { package_name: string; sha256_cert_fingerprints: string[] }[] }[]> {
  return database(env)
    .select({ iosAppIds: clients.iosAppIds, androidPackages: clients.androidPackages })
    .from(clients)
    .where(or(ne(clients.iosAppIds, []), ne(clients.androidPackages, [])))
    .all();
}
