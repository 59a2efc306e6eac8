import type { HtmlEscapedString } from 'hono/utils/html';

/** A value a message places: plain text (escaped when written) or markup a view built. */
export type Piece = string | HtmlEscapedString | Promise<HtmlEscapedString>;
