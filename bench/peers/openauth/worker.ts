import { issuer } from '@openauthjs/openauth';
import type { Provider } from '@openauthjs/openauth/provider/provider';
import { CloudflareStorage } from '@openauthjs/openauth/storage/cloudflare';
import { createSubjects } from '@openauthjs/openauth/subject';
import * as v from 'valibot';
import { CLIENT_ID, REDIRECT_URI, checkLogin, loginPage, type UserEnv } from '../shared/login';

/**
 * Peer 2 of the benchmark (bench/README.md): a minimal `@openauthjs/openauth` issuer serving the
 * same native-app sign-in as edge-auth and the floor. The library owns the pending request (an
 * encrypted cookie), codes, refresh tokens and its keys, in its KV storage adapter (AUTH_KV); this
 * file owns a password provider that checks the floor's PBKDF2-SHA256 hash, and the client check:
 *
 *   GET  /authorize          the library: the request sealed into a cookie; 302 to the one provider
 *   GET  /login/authorize    this provider's form
 *   POST /login/authorize    the same PBKDF2-SHA256 check as the floor, then the library's success:
 *                            the code stored in KV; 302 to the app
 *   POST /token              the library: code, PKCE S256, an ES256 access JWT and a refresh token
 *
 * The library's own PasswordProvider keeps users and hashes in its storage in its own format, so it
 * could not verify edge-auth's stored hash; a provider is the library's extension point for that.
 * The issuer is made once per isolate (the KV binding does not change), so its keys are read from
 * KV once, not on every request. Access tokens live one hour, as edge-auth's; refresh tokens cannot
 * be turned off.
 */

interface Env extends UserEnv {
  AUTH_KV: KVNamespace;
}

const subjects = createSubjects({ user: v.object({ id: v.string() }) });

const passwordCheck: Provider<{ userId: string }> = {
  type: 'bench-password',
  init(routes, ctx) {
    routes.get('/authorize', () => loginPage('/login/authorize', {}));
    routes.post('/authorize', async (c) => {
      const userId = await checkLogin(new URLSearchParams(await c.req.text()), c.env as Env);
      return userId ? ctx.success(c, { userId }) : loginPage('/login/authorize', {}, 401);
    });
  },
};

/**
 * openauth 0.4.3's KV adapter turns "60 s from now" back into a TTL after an await and rounds it
 * down, so a code's put sometimes asks KV for 59 s, which KV refuses (a 500, then an error
 * redirect): anomalyco/openauth#302, open against 0.4.3, the latest release; the fix merged in
 * anomalyco/openauth#219 is not in it. The same clamp as that fix, applied to the binding.
 */
function withMinimumTtl(kv: KVNamespace): KVNamespace {
  const put: KVNamespace['put'] = (key, value, options) =>
    kv.put(key, value, options?.expirationTtl === undefined ? options : { ...options, expirationTtl: Math.max(options.expirationTtl, 60) });
  // The methods the adapter calls (get, put, delete, list), each on the binding itself.
  return { get: kv.get.bind(kv), put, delete: kv.delete.bind(kv), list: kv.list.bind(kv) } as unknown as KVNamespace;
}

function makeIssuer(env: Env) {
  return issuer({
    providers: { login: passwordCheck },
    storage: CloudflareStorage({ namespace: withMinimumTtl(env.AUTH_KV) }),
    subjects,
    ttl: { access: 3600 },
    // The in-memory client registry: one public native app and its redirect URI.
    allow: async ({ clientID, redirectURI }) => clientID === CLIENT_ID && redirectURI === REDIRECT_URI,
    success: async (response, value) => response.subject('user', { id: value.userId }),
  });
}

let app: ReturnType<typeof makeIssuer> | undefined;

export default {
  fetch(request, env, ctx): Response | Promise<Response> {
    app ??= makeIssuer(env);
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
