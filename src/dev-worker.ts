import { Hono } from 'hono/tiny';
import { buildApp } from './app';
import type { AppEnv } from './http/context';
import { renderErrors } from './http/error-handler';
import worker from './index';
import { devHome } from './routes/dev-home';
import { devMailbox } from './routes/dev-mailbox';

export * from './index';

/** What a developer reads: a page to start a sign-in from, and the account mail kept in memory. */
const devPages = new Hono<AppEnv>().get('/', devHome).get('/dev/mailbox', devMailbox).onError(renderErrors('page'));

/**
 * The worker `npm run dev` and the tests run: the deployed one (src/index.ts) plus the development
 * pages. These still answer only when configured (DEV_HOME_PAGE, DEV_MAILBOX, on a loopback or
 * test issuer), and the deployed script does not contain them at all.
 */
export default { ...worker, fetch: buildApp(devPages).fetch } satisfies typeof worker;
