#!/usr/bin/env node
// `npm run admin -- <command>`: the operator's CLI for edge-auth's Management API (/api/v1).
import { apis } from './commands/apis.mjs';
import { audit } from './commands/audit.mjs';
import { bootstrap } from './commands/bootstrap.mjs';
import { clients } from './commands/clients.mjs';
import { connections } from './commands/connections.mjs';
import { grants } from './commands/grants.mjs';
import { keys } from './commands/keys.mjs';
import { users } from './commands/users.mjs';
import { dispatch } from './lib/dispatch.mjs';
import { UnknownNameError, UsageError } from './lib/errors.mjs';
import { PROGRAM } from './lib/help.mjs';

/** @type {import('./lib/help.mjs').CommandTable} */
const COMMANDS = { clients, connections, apis, grants, users, keys, audit, bootstrap };

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
if (NODE_MAJOR < 22) {
  process.stderr.write(`error: edge-auth admin needs Node.js 22 or later, not ${process.version}; \`npm run admin -- ...\` runs it on the project's own Node.\n`);
  process.exit(1);
}

const argv = process.argv.slice(2);
const debug = argv.includes('--debug');
try {
  process.exitCode = await dispatch(COMMANDS, argv, { env: process.env, stdout: process.stdout, stderr: process.stderr });
} catch (error) {
  process.exitCode = report(error);
}

/**
 * One line on stderr: our own errors as they are, anything else as unexpected; an unknown name
 * with the usage it missed; the stack only with --debug.
 * @param {unknown} error
 * @returns {number} the exit status
 */
function report(error) {
  const known = error instanceof Error && 'exitCode' in error;
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
  const help = error instanceof UsageError && !message.includes(PROGRAM) ? `\`${PROGRAM} ${error.helpCommand ?? 'help'}\`` : undefined;
  if (error instanceof UnknownNameError && error.usage) {
    process.stderr.write(`error: ${message}\n${error.usage}\n${help ? `See ${help}.\n` : ''}`);
  } else {
    process.stderr.write(`error: ${known ? '' : 'unexpected failure: '}${message}${help ? ` (see ${help})` : ''}\n`);
  }
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return known ? Number(/** @type {{ exitCode: number }} */ (error).exitCode) : 1;
}
