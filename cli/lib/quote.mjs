/**
 * Quoting for the two languages bootstrap writes: SQL for D1 and, for `--dry-run`, the POSIX shell.
 */

/**
 * A SQLite string literal: single quotes, each inner quote doubled. NUL cannot be written in one.
 * @param {string} value
 */
export function sqlString(value) {
  if (value.includes('\u0000')) throw new Error('a SQL string cannot contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * One shell word that `sh` reads back as exactly `value`.
 * @param {string} value
 */
export function shellWord(value) {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
