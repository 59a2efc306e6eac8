import type { Context } from 'hono';
import * as v from 'valibot';
import { checkRedirectUriRegistration } from '../oauth/redirect-uri-registration';
import { readJsonObject } from '../http/request-body';
import { SCOPE_TOKEN } from '../oauth/scope';
import { invalidBody } from '../errors/api-error';

/** Parses a JSON body against a schema; every problem is reported with its field path. */
export async function parseBody<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  const result = v.safeParse(schema, await readJsonObject(c));
  if (result.success) return result.output;
  throw invalidBody(result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message })));
}

/** RFC 6749 section 3.3 scope token. */
export const scopeToken = v.pipe(v.string(), v.regex(SCOPE_TOKEN, 'must be a scope token'), v.maxLength(100, 'must be a scope token'));

export const redirectUri = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const check = checkRedirectUriRegistration(dataset.value);
    if (!check.ok) addIssue({ message: `redirect URI ${check.reason}` });
  }),
);

export const lifetime = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

export const name = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100));

export const uniqueList = <S extends v.GenericSchema>(item: S, max: number) =>
  v.pipe(
    v.array(item),
    v.maxLength(max),
    v.check((list) => new Set(list).size === list.length, 'must not repeat an entry'),
  );

/** `?page=0&per_page=50`: zero-based pages of at most 100, as Auth0's Management API pages. */
export function pagination(c: Context): { page: number; perPage: number } {
  const page = Number(c.req.query('page') ?? '0');
  const perPage = Number(c.req.query('per_page') ?? '50');
  const fields = [];
  if (!Number.isInteger(page) || page < 0 || page > 1_000_000) fields.push({ path: 'page', message: 'must be a whole number from 0' });
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) fields.push({ path: 'per_page', message: 'must be from 1 to 100' });
  if (fields.length) throw invalidBody(fields);
  return { page, perPage };
}

/** `?name=true|false`, or undefined when absent. */
export function booleanQuery(c: Context, name: string): boolean | undefined {
  const value = c.req.query(name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalidBody([{ path: name, message: 'must be true or false' }]);
  return value === 'true';
}

/** The `:id` of a resource route. */
export function idParam(c: Context): string {
  return c.req.param('id') ?? '';
}
