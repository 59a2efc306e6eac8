import { UsageError } from './errors.mjs';

/**
 * A password from `--password` or, better, `--password-stdin` (kept out of `ps` and shell
 * history). Reads a pipe without prompting; one trailing newline is dropped, as `echo` adds it.
 * @param {{ password?: unknown, 'password-stdin'?: unknown }} values
 * @param {NodeJS.ReadableStream & { isTTY?: boolean }} [stdin]
 * @returns {Promise<string>}
 */
export async function readPassword(values, stdin = process.stdin) {
  const fromStdin = values['password-stdin'] === true;
  if (fromStdin && values.password !== undefined) throw new UsageError('Give --password or --password-stdin, not both.');
  if (!fromStdin) {
    if (typeof values.password !== 'string' || values.password === '') throw new UsageError('--password or --password-stdin is required.');
    return values.password;
  }
  if (stdin.isTTY) throw new UsageError('--password-stdin reads a pipe: printf %s "$PASSWORD" | npm run admin -- ...');
  const chunks = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('--password-stdin got an empty password.');
  return password;
}
