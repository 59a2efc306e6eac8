import { ApiRequestError } from '../lib/errors.mjs';
import { oneOf, repeated } from '../lib/argv.mjs';

const SIGNING_ALGS = /** @type {const} */ (['ES256', 'RS256']);


/** @type {import('../lib/output.mjs').Column[]} */
const COLUMNS = [
  { header: 'KID', value: (key) => key.kid },
  { header: 'ALG', value: (key) => key.alg },
  { header: 'STATUS', value: (key) => key.status },
  { header: 'CREATED', value: (key) => key.created_at },
  { header: 'PROMOTED', value: (key) => key.promoted_at },
  { header: 'DEMOTED', value: (key) => key.demoted_at },
];

/**
 * @param {import('../lib/output.mjs').Output} output
 * @param {{ items: unknown[] }} response
 */
function printKeys(output, response) {
  if (output.json) output.printJson(response);
  else output.printTable(response.items, COLUMNS);
}

/** @type {import('../lib/command.mjs').CommandGroup} */
export const keys = {
  summary: 'token signing keys: next (published), current (signing), previous (still published), retired',
  commands: {
    list: {
      summary: 'list signing keys (public metadata only)',
      run: async ({ api, output }) => printKeys(output, await api().get('keys')),
    },
    rotate: {
      summary: 'promote each next key to current; the old current stays published as previous',
      options: {
        alg: { type: 'string', multiple: true, value: 'ALG', help: 'ES256 or RS256 (repeatable; default both)' },
        force: { type: 'boolean', help: 'rotate even if the next key was published under 10 minutes ago: for a compromised key' },
      },
      details:
        'Without --force a rotation waits until the next key has been public for 10 minutes, so every verifier has it. ' +
        'Isolates pick up the new key within 5 minutes.',
      examples: ['keys rotate', 'keys rotate --alg ES256 --force'],
      run: async ({ api, values, output }) => {
        const algs = repeated(values, 'alg')?.map((alg) => /** @type {(typeof SIGNING_ALGS)[number]} */ (oneOf({ alg }, 'alg', SIGNING_ALGS)));
        try {
          printKeys(output, await api().post('keys/rotate', { ...(algs && { algs: [...new Set(algs)] }), force: values.force === true }));
        } catch (error) {
          if (error instanceof ApiRequestError && error.code === 'rotation_refused') {
            error.message = `${error.message} (CLI: --force)`;
          }
          throw error;
        }
      },
    },
  },
};
