import { buildApp } from './app';

export { GrantStore } from './durable-objects/grant-store';
export { LoginThrottleStore } from './durable-objects/login-throttle-store';
export { SessionStore } from './durable-objects/session-store';
export { SigningKeyStore } from './durable-objects/signing-key-store';

export default buildApp() satisfies ExportedHandler<Env>;
