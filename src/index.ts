import { buildApp } from './app';
import { scheduled } from './scheduled';

export { GrantStore } from './durable-objects/grant-store';
export { LoginThrottleStore } from './durable-objects/login-throttle-store';
export { SessionStore } from './durable-objects/session-store';
export { SigningKeyStore } from './durable-objects/signing-key-store';

const app = buildApp();

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
