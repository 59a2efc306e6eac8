import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { auditorFor, type Auditor } from '../audit/audit-log';
import { getConfig, type Config } from '../config';
import type { PageVariables } from '../views/page-response';

/** Where an OAuth error goes once /authorize trusts the client and redirect URI (RFC 6749 section 4.1.2.1). */
export interface ErrorRedirect {
  redirectUri: string;
  state: string | undefined;
}

/** What every request carries, set once by `requestContext`, plus what pages are told (`formTargets`). */
export interface AppVariables extends PageVariables {
  config: Config;
  audit: Auditor;
  /** Set by /authorize when errors may be redirected to the client; otherwise they are shown. */
  errorRedirect?: ErrorRedirect;
}

/** The one environment type of the app: Hono's typed `c.env` and `c.var`. */
export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}

export type AppContext = Context<AppEnv>;

/** Parses the configuration (once per isolate) and makes the request's auditor. */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  c.set('config', getConfig(c.env));
  c.set('audit', auditorFor(c.env, (promise) => c.executionCtx.waitUntil(promise)));
  await next();
});
