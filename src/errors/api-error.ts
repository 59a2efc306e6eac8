import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from './app-error';

export type ApiErrorCode = 'invalid_body' | 'not_found' | 'conflict' | 'forbidden' | 'rotation_refused';

export interface FieldIssue {
  /** Where in the body, e.g. `redirect_uris.1`. */
  path: string;
  message: string;
}

/** A Management API error: a stable code, a message for people, and field paths when input was bad. */
export class ApiError extends AppError {
  override readonly name = 'ApiError';

  constructor(
    status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields: FieldIssue[] = [],
  ) {
    super(message, { status });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.fields.length ? { fields: this.fields } : {}) };
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `No such ${what}.`);
export const invalidBody = (fields: FieldIssue[]) => new ApiError(400, 'invalid_body', 'The request body is not valid.', fields);
