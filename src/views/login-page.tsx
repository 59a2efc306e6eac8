import { Layout } from './layout';

export interface LoginPageProps {
  nonce: string;
  clientName: string;
  requestId: string;
  email?: string;
  error?: string;
}

export function LoginPage(props: LoginPageProps) {
  return (
    <Layout title="Sign in" nonce={props.nonce}>
      <h1>Sign in</h1>
      <p>to continue to {props.clientName}</p>
      {props.error ? (
        <p class="error" role="alert" id="login-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/login">
        <input type="hidden" name="request_id" value={props.requestId} />
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          autofocus
          value={props.email ?? ''}
          aria-describedby={props.error ? 'login-error' : undefined}
        />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Continue</button>
      </form>
    </Layout>
  );
}
