import type { Context } from 'hono';
import { pagination } from './validation';

/**
 * One page of a list, as Auth0's Management API pages: `{ items, page, per_page, total }`, zero-based
 * pages of at most 100. The caller gives the page's query and the count under the same filter.
 */
export async function listPage<Row>(
  c: Context,
  rows: (limit: number, offset: number) => Promise<Row[]>,
  count: () => Promise<number>,
  toJson: (row: Row) => unknown,
): Promise<Response> {
  const { page, perPage } = pagination(c);
  const [items, total] = await Promise.all([rows(perPage, page * perPage), count()]);
  return c.json({ items: items.map(toJson), page, per_page: perPage, total });
}
