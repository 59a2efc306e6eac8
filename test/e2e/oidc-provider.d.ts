/** oidc-provider ships no types (its @types package is not installed): the little the tests use. */
declare module 'oidc-provider' {
  import type { Server } from 'node:http';
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown> & { findAccount?: (ctx: unknown, id: string) => Promise<unknown> });
    listen(port: number, host: string): Server;
  }
}
