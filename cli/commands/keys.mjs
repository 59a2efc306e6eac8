import { ApiRequestError } from '../lib/errors.mjs';
import { oneOf, repeated } from '../lib/argv.mjs';
import { segment } from '../lib/management-client.mjs';

const SIGNING_ALGS = /** @type {const} */ (['ES256', 'RS256']);


/** @type {import('../lib/output.mjs').Column[]} */
const COLUMNS = [
  { header: 'KID', value: (key) => key.kid },
  { header: 'ALG', value: (key) => key.alg },
  { header: 'STATUS', value: (key) => key.status },
  { header: 'CREATED', value: (key) => key.created_at },
  { header: 'PROMOTED', value: (key) => key.promoted_at },
  { header: 'DEMOTED', value: (key) => key.demoted_at },
  { header: 'WITHDRAWN', value: (key) => key.withdrawn_at },
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
  summary: 'token signing keys: next (published), current (signing), previous (still published), retired, withdrawn (compromised)',
  commands: {
    list: {
      summary: 'list signing keys (public metadata only)',
      run: async ({ api, output }) => printKeys(output, await api().get('keys')),
    },
    rotate: {
      summary: 'promote each next key to current; the old current stays published as previous',
      options: {
        alg: { type: 'string', multiple: true, value: 'ALG', help: 'ES256 or RS256 (repeatable; default both)' },
        force: { type: 'boolean', help: 'rotate even if the next key was published under 10 minutes ago' },
      },
      details:
        'Without --force a rotation waits until the next key has been public for 10 minutes, so every verifier has it. ' +
        'Isolates pick up the new key within 5 minutes. The old key stays trusted while its tokens may be valid (24 hours): ' +
        'for a compromised key use `keys withdraw` instead.',
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
    withdraw: {
      summary: 'withdraw a compromised key now: unpublished, and every token it signed refused',
      args: ['kid'],
      details:
        'Unlike a rotation, nothing the key signed stays valid: every isolate refuses its tokens within 30 seconds ' +
        '(resource servers that cache the JWKS, within their cache time: ours says 5 minutes). ' +
        'A withdrawn current key is replaced by the next key at once, and a new next key is made. Cannot be undone.',
      examples: ['keys withdraw 3jJ0q2u7hY1fZ9aB'],
      run: async ({ api, args, output }) => {
        const response = /** @type {{ withdrawn: { kid: string }, items: unknown[] }} */ (
          await api().post(`keys/${segment(args[0] ?? '')}/withdraw`)
        );
        if (output.json) output.printJson(response);
        else {
          output.print(`Withdrew key ${response.withdrawn.kid}.`);
          output.printTable(response.items, COLUMNS);
        }
      },
    },
  },
};
