import { Layout } from './layout';

export function ErrorPage(props: { nonce: string; title: string; description: string }) {
  return (
    <Layout title={props.title} nonce={props.nonce}>
      <h1>{props.title}</h1>
      <p role="alert">{props.description}</p>
      <p>Return to the app and try signing in again.</p>
    </Layout>
  );
}
