import type { AuditEventRow, UserRow } from '../db/schema';
import type { GrantSummary, SessionSummary } from '../oauth/account-record';

/**
 * JSON shapes of a user's records, as the Management API and the user's own data export show
 * them: snake_case, and never a password hash or any other secret.
 */
export const userJson = (row: UserRow) => ({
  id: row.id,
  email: row.email,
  name: row.name,
  email_verified: row.emailVerified,
  /** The language the person chose for their pages and mails; null: their browser's. */
  locale: row.locale,
  blocked: row.blocked,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

export const auditEventJson = (row: AuditEventRow) => ({
  id: row.id,
  at: row.at.toISOString(),
  event: row.event,
  actor: row.actor,
  client_id: row.clientId,
  user_id: row.userId,
  grant_id: row.grantId,
  detail: row.detail,
});

const isoMs = (ms: number) => new Date(ms).toISOString();

export const sessionSummaryJson = (session: SessionSummary) => ({
  id: session.id,
  auth_time: isoMs(session.authTime * 1000),
  created_at: isoMs(session.createdAt),
  expires_at: isoMs(session.expiresAt),
});

export const grantSummaryJson = (grant: GrantSummary) => ({
  id: grant.id,
  client_id: grant.clientId,
  audience: grant.audience ?? null,
  scopes: grant.scopes ?? [],
  created_at: isoMs(grant.createdAt),
  revoked: grant.revoked,
  refresh_token_active: grant.refreshTokenActive,
  kept_until: isoMs(grant.retainUntil),
});
