import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { renderErrorPage } from '../views/page-response';
import type { PageWords } from '../views/pages';
import { NO_STORE } from './no-store';

/**
 * What a log line may say about an error beyond its code: a sentence, or named values (what the
 * request carried, what was refused). Never a secret; strings and lists are bounded when written.
 */
export type ErrorDetail = string | ErrorFields;
export type ErrorFields = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export interface AppErrorOptions {
  status?: ContentfulStatusCode;
  /** Logged, never sent: what a maintainer needs to know that the client must not. */
  detail?: ErrorDetail | undefined;
  headers?: Record<string, string>;
  /** The heading when the error is shown to a person as a page. */
  title?: string;
  /** The page's title and description as catalogue keys, so a person reads them in their language (apps keep the English). */
  words?: PageWords | undefined;
}


/** How a route group answers: JSON for apps and APIs, a page for a person in a browser. */
export type { PageWords };
export type ErrorForm = 'json' | 'page';

/**
 * Every error the app raises on purpose: a status, a stable public `code`, a public `description`
 * and a private `detail` that only the log sees. It renders itself, as JSON or as a page.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  readonly status: ContentfulStatusCode;
  readonly detail: ErrorDetail | undefined;
  readonly headers: Record<string, string>;
  readonly title: string;
  readonly words: PageWords | undefined;

  constructor(
    readonly description: string,
    options: AppErrorOptions & { status: ContentfulStatusCode },
  ) {
    super(description);
    this.status = options.status;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
    this.title = options.title ?? 'Request refused';
    this.words = options.words;
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, error_description: this.description };
  }

  /** `requestId` names the log line written for this error: shown on a page, a header on JSON. */
  toResponse(c: Context, form: ErrorForm, requestId: string): Response | Promise<Response> {
    // A person is shown a plain refusal: 413 tells a program to send less, which a form cannot.
    if (form === 'page') {
      const shown = { title: this.title, description: this.description, code: this.code, requestId, words: this.words };
      return renderErrorPage(c, shown, this.status === 413 ? 400 : this.status);
    }
    return c.json(this.toJSON(), this.status, { ...NO_STORE, ...this.headers, 'X-Request-Id': requestId });
  }
}
