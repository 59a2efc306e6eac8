import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { NO_STORE } from '../errors/responses';

export type ApiErrorCode = 'invalid_body' | 'not_found' | 'conflict' | 'forbidden' | 'rotation_refused';

export interface FieldIssue {
  /** Where in the body, e.g. `redirect_uris.1`. */
  path: string;
  message: string;
}

/** A Management API error: a stable code, a message for people, and field paths when input was bad. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields: FieldIssue[] = [],
  ) {
    super(message);
  }

  toResponse(c: Context): Response {
    const body = { error: this.code, error_description: this.message, ...(this.fields.length ? { fields: this.fields } : {}) };
    return c.json(body, this.status, NO_STORE);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `No such ${what}.`);
export const invalidBody = (fields: FieldIssue[]) => new ApiError(400, 'invalid_body', 'The request body is not valid.', fields);

/**
 * Turns a unique-index violation into a 409: two concurrent creations both pass the existence
 * check, and the index, not the check, decides.
 */
export async function conflictOnDuplicate<T>(write: Promise<T>, message: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    const text = `${String(error)} ${String((error as { cause?: unknown })?.cause ?? '')}`;
    if (text.includes('UNIQUE constraint failed')) throw new ApiError(409, 'conflict', message);
    throw error;
  }
}
