import { Layout } from './layout';

export function LogoutConfirmPage(props: { nonce: string; confirmation: string }) {
  return (
    <Layout title="Sign out" nonce={props.nonce}>
      <h1>Sign out?</h1>
      <p>You will need to sign in again the next time an app asks.</p>
      <form method="post" action="/logout">
        <input type="hidden" name="confirmation" value={props.confirmation} />
        <button type="submit">Sign out</button>
      </form>
    </Layout>
  );
}

export function SignedOutPage(props: { nonce: string }) {
  return (
    <Layout title="Signed out" nonce={props.nonce}>
      <h1>You are signed out</h1>
      <p>You can close this window and return to the app.</p>
    </Layout>
  );
}
