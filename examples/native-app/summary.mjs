import { createHash } from 'node:crypto';

/** How much of a token is ever shown. */
const PREFIX_LENGTH = 12;

/**
 * A token is never printed whole: its first 12 characters, and a fingerprint (the first 12
 * characters of its SHA-256, base64url) that tells two tokens apart. The prefix alone cannot: every
 * ES256 JWT starts with the same header, and an edge-auth refresh token starts with its grant's id,
 * which rotation keeps.
 * @param {string} token
 */
function shown(token) {
  return { prefix: token.slice(0, PREFIX_LENGTH), fingerprint: createHash('sha256').update(token).digest('base64url').slice(0, PREFIX_LENGTH) };
}

/** @param {import('./sign-in-flow.mjs').VerifiedJwt & { expiresIn?: number | undefined }} jwt */
function jwtSummary({ token, header, claims, expiresIn }) {
  return { ...shown(token), header: { alg: header.alg, typ: header.typ, kid: header.kid }, claims, ...(expiresIn !== undefined && { expires_in: expiresIn }) };
}

/**
 * The machine-readable summary that `--json` prints: claims in full, tokens only as prefix and fingerprint.
 * @param {import('./sign-in-flow.mjs').SignInResult} result
 */
export function summarize(result) {
  return {
    ok: true,
    issuer: result.issuer,
    client_id: result.clientId,
    redirect_uri: result.redirectUri,
    scope: result.scope,
    id_token: jwtSummary(result.idToken),
    access_token: jwtSummary(result.accessToken),
    refresh_token: result.refreshToken === undefined ? null : shown(result.refreshToken),
    userinfo: result.userinfo,
    dpop_jkt: result.dpopJkt ?? null,
    account_deleted: result.accountDeleted,
    refresh:
      result.refresh === undefined
        ? null
        : {
            rotated: result.refresh.rotated,
            refresh_token: shown(result.refresh.refreshToken),
            access_token: jwtSummary(result.refresh.accessToken),
            id_token: result.refresh.idToken ? jwtSummary(result.refresh.idToken) : null,
          },
  };
}

/**
 * The same summary for people.
 * @param {ReturnType<typeof summarize>} summary
 * @returns {string}
 */
export function formatSummary(summary) {
  const lines = [
    `Signed in to ${summary.issuer} as ${summary.id_token.claims.sub} (${summary.userinfo.email ?? 'no email'}), client ${summary.client_id}.`,
    `Granted scope: ${summary.scope ?? '(not stated)'}`,
    '',
    tokenLine('ID token', summary.id_token),
    '  validated by oauth4webapi: iss, aud, azp, exp, iat, nonce; signature checked against the JWKS',
    ...claimLines(summary.id_token.claims),
    '',
    tokenLine('Access token', summary.access_token),
    `  verified with jose against the JWKS, as the API does: signature, typ at+jwt, iss, aud, exp`,
    ...(summary.dpop_jkt ? [`  DPoP-bound to this process's key ${summary.dpop_jkt} (cnf.jkt): sent as Authorization: DPoP with a proof`] : []),
    ...claimLines(summary.access_token.claims),
    '',
    summary.refresh_token ? tokenLine('Refresh token', summary.refresh_token) : 'Refresh token  none issued',
    '',
    'Userinfo',
    ...claimLines(summary.userinfo),
  ];
  if (summary.refresh) {
    const { rotated } = summary.refresh;
    lines.push(
      '',
      'Refreshed once',
      `  ${tokenLine('refresh token', summary.refresh.refresh_token)}  ${rotated ? 'new: the one above is now retired (rotation)' : 'unchanged'}`,
      `  ${tokenLine('access token', summary.refresh.access_token)}  exp ${time(summary.refresh.access_token.claims.exp)}`,
    );
    if (summary.refresh.id_token) lines.push(`  ${tokenLine('ID token', summary.refresh.id_token)}  sub ${summary.refresh.id_token.claims.sub}`);
  }
  if (summary.account_deleted) lines.push('', 'Account deleted (DELETE /account: 204); the refresh token is now refused.');
  return `${lines.join('\n')}\n`;
}

/**
 * @param {string} label
 * @param {{ prefix: string, fingerprint: string, header?: { alg?: string, typ?: string, kid?: string } }} token
 */
function tokenLine(label, { prefix, fingerprint, header }) {
  const signed = header ? `  ${[header.alg, header.typ].filter(Boolean).join(' ')}, kid ${header.kid}` : '';
  return `${label.padEnd(14)} ${prefix}…  sha256 ${fingerprint}${signed}`;
}

/** Claims that are times, shown with their date as well. */
const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time', 'updated_at']);

/** @param {Record<string, unknown>} claims */
function claimLines(claims) {
  const width = Math.max(...Object.keys(claims).map((name) => name.length));
  return Object.entries(claims).map(([name, value]) => `  ${name.padEnd(width)}  ${TIME_CLAIMS.has(name) ? time(value) : format(value)}`);
}

/** @param {unknown} value */
function time(value) {
  return typeof value === 'number' ? `${value} (${new Date(value * 1000).toISOString()})` : format(value);
}

/** @param {unknown} value */
function format(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
