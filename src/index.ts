import { buildApp } from './app';
import { consumeAuditEvents } from './audit/audit-consumer';
import type { AuditMessage } from './audit/audit-log';
import { scheduled } from './scheduled';

export { PushedRequestStore } from './durable-objects/pushed-request-store';
export { SigningKeyStore } from './durable-objects/signing-key-store';
export { UserStore } from './durable-objects/user-store';

const app = buildApp();

export default {
  fetch: app.fetch,
  scheduled,
  queue: consumeAuditEvents,
} satisfies ExportedHandler<Env, AuditMessage>;
