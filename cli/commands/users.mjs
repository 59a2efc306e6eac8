import { required, wholeNumber } from '../lib/argv.mjs';
import { PAGE_OPTIONS } from '../lib/command.mjs';
import { CliError } from '../lib/errors.mjs';
import { segment } from '../lib/management-client.mjs';
import { printList, printResource } from '../lib/output.mjs';
import { readPassword } from '../lib/secret-input.mjs';

const PASSWORD = /** @type {const} */ ({
  password: { type: 'string', value: 'PASSWORD', help: 'the password (visible in `ps` and shell history: prefer --password-stdin)' },
  'password-stdin': { type: 'boolean', help: 'read the password from standard input, without a prompt' },
});

/**
 * The user's id, given its id or email address (ids never hold an `@`).
 * @param {import('../lib/management-client.mjs').ManagementClient} api
 * @param {string} idOrEmail
 * @returns {Promise<string>}
 */
async function userId(api, idOrEmail) {
  if (!idOrEmail.includes('@')) return idOrEmail;
  const { items } = await api.get('users', { email: idOrEmail, per_page: 1 });
  if (!items.length) throw new CliError(`No user has the email ${idOrEmail}.`);
  return items[0].id;
}

/**
 * `PATCH /users/:id` for block, unblock and set-password.
 * @param {import('../lib/command.mjs').CommandContext} context
 * @param {Record<string, unknown>} body
 */
async function updateUser({ api, args, output }, body) {
  printResource(output, await api().patch(`users/${segment(await userId(api(), args[0] ?? ''))}`, body));
}

/** @type {import('../lib/output.mjs').Column[]} */
const COLUMNS = [
  { header: 'ID', value: (user) => user.id },
  { header: 'EMAIL', value: (user) => user.email },
  { header: 'NAME', value: (user) => user.name },
  { header: 'VERIFIED', value: (user) => (user.email_verified ? 'yes' : 'no') },
  { header: 'BLOCKED', value: (user) => (user.blocked ? 'yes' : 'no') },
];

/** @type {import('../lib/output.mjs').Column[]} */
const SESSION_COLUMNS = [
  { header: 'SESSION', value: (session) => session.id },
  { header: 'SIGNED IN', value: (session) => session.auth_time },
  { header: 'EXPIRES', value: (session) => session.expires_at },
];

/** @type {import('../lib/output.mjs').Column[]} */
const GRANT_COLUMNS = [
  { header: 'GRANT', value: (grant) => grant.id },
  { header: 'CLIENT', value: (grant) => grant.client_id },
  { header: 'SCOPES', value: (grant) => grant.scopes.join(' ') },
  { header: 'CREATED', value: (grant) => grant.created_at },
  { header: 'STATE', value: (grant) => (grant.revoked ? 'revoked' : grant.refresh_token_active ? 'active' : 'no refresh') },
];

/** @type {import('../lib/output.mjs').Column[]} */
const PASSKEY_COLUMNS = [
  { header: 'PASSKEY', value: (passkey) => passkey.id },
  { header: 'NAME', value: (passkey) => passkey.name },
  { header: 'SYNCED', value: (passkey) => (passkey.backup_eligible ? 'yes' : 'no') },
  { header: 'CREATED', value: (passkey) => passkey.created_at },
  { header: 'LAST USED', value: (passkey) => passkey.last_used_at ?? 'never' },
];

/**
 * `DELETE /users/:id/sessions/:sid`, `/grants/:gid` or `/passkeys/:pid`: one session, grant or passkey of a user.
 * @param {'session' | 'grant' | 'passkey'} kind
 * @param {string} summary
 * @param {string} done
 * @returns {import('../lib/command.mjs').Command}
 */
function revokeOne(kind, summary, done) {
  return {
    summary,
    args: ['id-or-email', `${kind}-id`],
    run: async ({ api, args, output }) => {
      await api().delete(`users/${segment(await userId(api(), args[0] ?? ''))}/${kind}s/${segment(args[1] ?? '')}`);
      if (output.json) output.printJson({ id: args[1], revoked: true });
      else output.print(`${done} ${kind} ${args[1]}.`);
    },
  };
}

/**
 * A command that posts to one of the user's action endpoints (`users/:id/<action>`) and says what
 * it did, in words built from the answer.
 * @param {string} action
 * @param {string} summary
 * @param {(who: string, result: any) => string} done
 */
function postToUser(action, summary, done) {
  return {
    summary,
    args: ['id-or-email'],
    run: async ({ api, args, output }) => {
      const result = await api().post(`users/${segment(await userId(api(), args[0] ?? ''))}/${action}`, {});
      if (output.json) output.printJson(result);
      else output.print(done(args[0] ?? '', result));
    },
  };
}

/** @type {import('../lib/command.mjs').CommandGroup} */
export const users = {
  summary: 'user accounts (email and password)',
  commands: {
    list: {
      summary: 'list users',
      options: {
        email: { type: 'string', value: 'EMAIL', help: 'only the user with this email' },
        unverified: { type: 'boolean', help: 'only users whose email address is not confirmed yet (pending verification)' },
        ...PAGE_OPTIONS,
      },
      run: async ({ api, values, output }) =>
        printList(
          output,
          await api().get('users', {
            email: /** @type {string | undefined} */ (values.email),
            email_verified: values.unverified ? 'false' : undefined,
            page: wholeNumber(values, 'page'),
            per_page: wholeNumber(values, 'per-page'),
          }),
          COLUMNS,
        ),
    },
    get: {
      summary: 'show a user, by id or email',
      args: ['id-or-email'],
      run: async ({ api, args, output }) => printResource(output, await api().get(`users/${segment(await userId(api(), args[0] ?? ''))}`)),
    },
    create: {
      summary: 'create a user',
      options: {
        email: { type: 'string', value: 'EMAIL', help: 'sign-in email address' },
        ...PASSWORD,
        name: { type: 'string', value: 'NAME', help: 'display name (the `name` claim)' },
        'email-verified': { type: 'boolean', help: 'mark the email address as verified' },
        locale: { type: 'string', value: 'LANG', help: 'language of their pages and mails: en, de, es, fr, ja or ar (default: their browser\'s)' },
      },
      examples: ["printf %s \"$PASSWORD\" | npm run admin -- users create --email ada@example.com --name 'Ada Lovelace' --password-stdin"],
      run: async ({ api, values, output }) => {
        const email = required(values, 'email');
        const password = await readPassword(values);
        const body = {
          email,
          password,
          ...(values.name !== undefined && { name: values.name }),
          ...(values.locale !== undefined && { locale: values.locale }),
          ...(values['email-verified'] && { email_verified: true }),
        };
        printResource(output, await api().post('users', body));
      },
    },
    block: {
      summary: 'stop a user signing in; ends every session and revokes every grant',
      args: ['id-or-email'],
      run: (context) => updateUser(context, { blocked: true }),
    },
    unblock: {
      summary: 'let a blocked user sign in again',
      args: ['id-or-email'],
      run: (context) => updateUser(context, { blocked: false }),
    },
    'set-locale': {
      summary: 'set the language of a user’s pages and mails (en, de, es, fr, ja, ar), or `none` for their browser’s',
      args: ['id-or-email', 'language'],
      examples: ['npm run admin -- users set-locale ada@example.com de'],
      run: (context) => updateUser(context, { locale: context.args[1] === 'none' ? null : (context.args[1] ?? '') }),
    },
    'set-password': {
      summary: 'set a user’s password; ends every session and revokes every grant',
      args: ['id-or-email'],
      options: PASSWORD,
      examples: ['printf %s "$NEW_PASSWORD" | npm run admin -- users set-password ada@example.com --password-stdin'],
      run: async (context) => updateUser(context, { password: await readPassword(context.values) }),
    },
    sessions: {
      summary: 'list a user’s single sign-on sessions (browsers)',
      args: ['id-or-email'],
      run: async ({ api, args, output }) =>
        printList(output, await api().get(`users/${segment(await userId(api(), args[0] ?? ''))}/sessions`), SESSION_COLUMNS),
    },
    grants: {
      summary: 'list a user’s grants (an app’s sign-in and its refresh tokens)',
      args: ['id-or-email'],
      run: async ({ api, args, output }) =>
        printList(output, await api().get(`users/${segment(await userId(api(), args[0] ?? ''))}/grants`), GRANT_COLUMNS),
    },
    factors: {
      summary: 'show a user’s second factors: authenticator app, recovery codes left, whether MFA is required of them',
      args: ['id-or-email'],
      run: async ({ api, args, output }) => printResource(output, await api().get(`users/${segment(await userId(api(), args[0] ?? ''))}/factors`)),
    },
    'reset-mfa': {
      summary: 'remove a user’s authenticator app and recovery codes (they sign in with the password, and enrol again where MFA is required)',
      args: ['id-or-email'],
      run: async ({ api, args, output }) => {
        const id = await userId(api(), args[0] ?? '');
        await api().delete(`users/${segment(id)}/factors`);
        if (output.json) output.printJson({ id, reset: true });
        else output.print(`Reset the second factors of ${args[0]}.`);
      },
    },
    'require-mfa': {
      summary: 'require a second factor of a user whatever the app (one without enrols at the next sign-in)',
      args: ['id-or-email'],
      run: async ({ api, args, output }) =>
        printResource(output, await api().patch(`users/${segment(await userId(api(), args[0] ?? ''))}/factors`, { mfa_required: true })),
    },
    'unrequire-mfa': {
      summary: 'stop requiring a second factor of a user (apps that require MFA still do)',
      args: ['id-or-email'],
      run: async ({ api, args, output }) =>
        printResource(output, await api().patch(`users/${segment(await userId(api(), args[0] ?? ''))}/factors`, { mfa_required: false })),
    },
    passkeys: {
      summary: 'list a user’s passkeys (name, synced or device-bound, created, last used)',
      args: ['id-or-email'],
      run: async ({ api, args, output }) =>
        printList(output, await api().get(`users/${segment(await userId(api(), args[0] ?? ''))}/passkeys`), PASSKEY_COLUMNS),
    },
    'remove-passkey': revokeOne('passkey', 'remove one passkey of a user: it no longer signs in', 'Removed'),
    'revoke-session': revokeOne('session', 'end one session of a user', 'Ended'),
    'revoke-grant': revokeOne('grant', 'revoke one grant of a user: its refresh tokens stop working', 'Revoked'),
    'send-reset-mail': postToUser(
      'password-reset-mail',
      'mail a user a link to choose a new password (30 minutes, once)',
      (who) => `Sent ${who} a password-reset link.`,
    ),
    'send-verification-mail': postToUser(
      'verification-mail',
      'mail a user a link that confirms their address (sets email_verified; 24 hours, once)',
      (who) => `Sent ${who} a link to confirm their email address.`,
    ),
    'sign-out-everywhere': postToUser(
      'sign-out-everywhere',
      'end every session and revoke every grant of a user',
      (who, result) => `Signed ${who} out everywhere: ${result.sessions_ended} sessions ended, ${result.grants_revoked} grants revoked.`,
    ),
    export: {
      summary: 'print everything edge-auth keeps about a user, as JSON (profile, sessions, grants, consents, recent audit events)',
      args: ['id-or-email'],
      run: async ({ api, args, output }) => output.printJson(await api().get(`users/${segment(await userId(api(), args[0] ?? ''))}/export`)),
    },
    delete: {
      summary: 'delete a user: sessions, grants, consents and the account (audit events keep only the user id)',
      args: ['id-or-email'],
      run: async ({ api, args, output }) => {
        const id = await userId(api(), args[0] ?? '');
        await api().delete(`users/${segment(id)}`);
        if (output.json) output.printJson({ id, deleted: true });
        else output.print(`Deleted user ${args[0]}.`);
      },
    },
  },
};
