// @ts-check
// `npm run dev:upstream`: a local OpenID provider (panva's oidc-provider, a devDependency) at
// http://127.0.0.1:8789, for trying upstream sign-in with `npm run dev` (docs/operator-guide.md,
// "Trying it locally"). Its development pages take any login: type an email address, which becomes
// the account's verified email. Never for production: in-memory state, development keys.
import Provider from 'oidc-provider';
import { devAddressOrExit } from './dev-address.mjs';

const PORT = 8789;
const CLIENT_ID = 'edge-auth';
const CLIENT_SECRET = 'local-upstream-secret';

const edgeAuth = devAddressOrExit(process.env);
const issuer = `http://127.0.0.1:${PORT}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: [`${edgeAuth.url}/login/federated/callback`],
    },
  ],
  findAccount: async (/** @type {unknown} */ _ctx, /** @type {string} */ id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: id, email_verified: true, name: id.split('@')[0] }),
  }),
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});
provider.listen(PORT, '127.0.0.1').once('listening', () => {
  console.log(`A local OpenID provider listens at ${issuer} (for edge-auth at ${edgeAuth.url}).
Add it to edge-auth and to demo-app's login page (in another terminal, with npm run dev running):

  printf %s ${CLIENT_SECRET} | npm run admin -- connections create --name local --type oidc \\
    --issuer ${issuer} --display-name 'Local provider' --client-id ${CLIENT_ID} --client-secret-stdin
  npm run admin -- clients update demo-app --connection local

Then sign in to demo-app (node examples/native-app/sign-in.mjs --open): "Continue with Local provider";
its login page takes any email address and password.`);
});
