import { buildApp } from './app';

export { AuthorizationCodeStore } from './durable-objects/authorization-code-store';
export { SigningKeyStore } from './durable-objects/signing-key-store';

export default buildApp() satisfies ExportedHandler<Env>;
