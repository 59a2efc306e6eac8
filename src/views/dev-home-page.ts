import { html } from 'hono/html';
import { layout, type Html } from './layout';

export interface DevHomePageProps {
  nonce: string;
  issuer: string;
  /** An authorization request for the dev seed's public client, with a fresh PKCE S256 challenge. */
  signInUrl: string;
  clientId: string;
  redirectUri: string;
  /** The verifier of that challenge: shown, since the person plays the app that would keep it. */
  codeVerifier: string;
  codeTtlSeconds: number;
  /** How to run a tool against this server: `EDGE_AUTH_URL=… ` when it is not the default address, else empty. */
  commandPrefix: string;
}

/** What `npm run dev` serves at `/`: where to start, with the dev seed's account and apps. */
export function devHomePage(props: DevHomePageProps): Html {
  const redeem = [
    `curl -s ${props.issuer}/oauth/token`,
    `  -d grant_type=authorization_code -d client_id=${props.clientId}`,
    `  -d redirect_uri=${props.redirectUri}`,
    `  -d code_verifier=${props.codeVerifier}`,
    '  -d code=CODE',
  ].join(' \\\n');
  return layout({
    title: 'edge-auth (development)',
    nonce: props.nonce,
    wide: true,
    body: html`<h1>edge-auth is running</h1>
<p>Issuer <code>${props.issuer}</code>. This page exists only under <code>npm run dev</code>: a deployed server answers 404 here.</p>
<h2>Sign in as an app would</h2>
<p><a href="${props.signInUrl}">Sign in to Demo App</a> as <code>demo@example.com</code> with the password <code>demo-password</code>.
The link is the request a native app sends: client <code>${props.clientId}</code>, a fresh PKCE S256 challenge, state and nonce.</p>
<p>After the sign-in the browser goes to <code>${props.redirectUri}?code=…</code>, where no app listens, so it shows an error page.
Copy the code from its address bar and redeem it within ${props.codeTtlSeconds} seconds, with the verifier this page made:</p>
<pre>${redeem}</pre>
<p>Or let the example app do every step, tokens, userinfo and refresh included:</p>
<pre>${props.commandPrefix}node examples/native-app/sign-in.mjs --open</pre>
<h2>Create an account</h2>
<p>On the same login page, <strong>Create account</strong> signs up a new user, and <strong>Forgot password?</strong> resets one.
The mail they send is on the <a href="/dev/mailbox">dev mailbox</a>: open its link in the same browser to finish.
The <a href="/account">account page</a> changes a password or email address, or signs out everywhere.</p>
<h2>Look around</h2>
<ul>
<li><a href="/.well-known/openid-configuration">Discovery document</a> (OpenID Connect Discovery) and <a href="/.well-known/jwks.json">signing keys</a> (JWKS)</li>
<li>The registered apps: <code>${props.commandPrefix}npm run admin -- clients list</code></li>
<li>The dev seed (apps, API, user): <code>scripts/dev-seed.sql</code></li>
</ul>
<h2>Read</h2>
<ul>
<li><code>README.md</code> in the repository: what edge-auth is, the quickstart and the dev seed</li>
<li><code>docs/mobile-guide.md</code>: the flow and the endpoints, for app developers; <code>docs/operator-guide.md</code>: configuration, the CLI, deploying</li>
<li><code>examples/native-app/README.md</code>: the same sign-in in an iOS or Android app (AppAuth)</li>
</ul>`,
  });
}
