/**
 * Everything the CLI prints: results on stdout (JSON for scripts, tables and records for people),
 * notices and errors on stderr. Text from the server is stripped of control characters, so a
 * name cannot move the cursor or recolour the terminal.
 */

/**
 * @typedef {object} Column
 * @property {string} header
 * @property {(row: any) => unknown} value
 */

/**
 * @typedef {object} Output
 * @property {boolean} json
 * @property {(value: unknown) => void} printJson
 * @property {(rows: readonly any[], columns: readonly Column[]) => void} printTable
 * @property {(record: Record<string, unknown>) => void} printRecord
 * @property {(text: string) => void} print  a line of text on stdout
 * @property {(text: string) => void} notice  a line on stderr
 */

/**
 * @param {{ json: boolean, stdout?: NodeJS.WritableStream, stderr?: NodeJS.WritableStream }} options
 * @returns {Output}
 */
export function createOutput({ json, stdout = process.stdout, stderr = process.stderr }) {
  return {
    json,
    printJson: (value) => stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    printTable: (rows, columns) => stdout.write(formatTable(rows, columns)),
    printRecord: (record) => stdout.write(formatRecord(record)),
    print: (text) => stdout.write(`${text}\n`),
    notice: (text) => stderr.write(`${text}\n`),
  };
}

/**
 * A value as one line of table or record text.
 * @param {unknown} value
 * @returns {string}
 */
export function cell(value) {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length ? value.map(cell).join(' ') : '-';
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([key, entry]) => `${key}=${cell(entry)}`)
      .join(' ');
  }
  // C0, DEL and C1 controls, including ESC: never echoed to the terminal.
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * @param {readonly any[]} rows
 * @param {readonly Column[]} columns
 */
export function formatTable(rows, columns) {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const headers = columns.map((column) => column.header);
  const widths = headers.map((header, index) => Math.max(header.length, ...cells.map((line) => (line[index] ?? '').length)));
  const render = (/** @type {string[]} */ line) =>
    line
      .map((text, index) => (index === line.length - 1 ? text : text.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[headers, ...cells].map(render).join('\n')}\n`;
}

/** @param {Record<string, unknown>} record */
export function formatRecord(record) {
  const width = Math.max(...Object.keys(record).map((key) => key.length));
  return Object.entries(record)
    .map(([key, value]) => `${key.padEnd(width)}  ${cell(value)}\n`)
    .join('');
}

/**
 * A list response's position, when there is more than one page.
 * @param {{ page?: number, per_page?: number, total?: number, items?: unknown[] }} response
 */
export function pageSummary(response) {
  const { page = 0, per_page: perPage = 0, total = 0, items = [] } = response;
  if (total <= items.length && page === 0) return undefined;
  const first = page * perPage + 1;
  const more = first - 1 + items.length < total ? `; next: --page ${page + 1}` : '';
  return items.length ? `${first}-${first - 1 + items.length} of ${total} (page ${page})${more}` : `page ${page} is empty; ${total} in all`;
}

/**
 * Prints a list response as a table, or as the API's JSON.
 * @param {Output} output
 * @param {{ items: any[] }} response
 * @param {readonly Column[]} columns
 */
export function printList(output, response, columns) {
  if (output.json) return output.printJson(response);
  output.printTable(response.items, columns);
  const summary = pageSummary(response);
  if (summary) output.notice(summary);
}

/**
 * Prints one resource as `field  value` lines, or as the API's JSON.
 * @param {Output} output
 * @param {Record<string, unknown>} resource
 */
export function printResource(output, resource) {
  if (output.json) return output.printJson(resource);
  output.printRecord(resource);
}

/**
 * A client secret, fresh from create or rotate-secret: printed once with the warning that goes with it.
 * In JSON mode the secret is in the JSON on stdout and the warning goes to stderr.
 * @param {Output} output
 * @param {Record<string, unknown> & { client_secret: string }} client
 */
export function printWithSecret(output, client) {
  const warning = 'Save this client secret now: it is shown only once, and edge-auth keeps only its hash.';
  if (output.json) {
    output.printJson(client);
    output.notice(`warning: ${warning}`);
    return;
  }
  const { client_secret: secret, ...rest } = client;
  output.printRecord(rest);
  output.print('');
  output.print(`client_secret  ${secret}`);
  output.print(`! ${warning}`);
}
