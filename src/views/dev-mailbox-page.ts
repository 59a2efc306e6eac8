import { html } from 'hono/html';
import { layout, type Html } from './layout';

export interface MailboxMessage {
  id: number;
  at: number;
  to: string;
  subject: string;
  text: string;
  status: 'sending' | 'sent' | 'failed';
}

/** The plain-text body with its links made clickable; everything else stays escaped text. */
function linkified(text: string): Html[] {
  return text.split(/(https?:\/\/\S+)/).map((part, index) => (index % 2 === 1 ? html`<a href="${part}">${part}</a>` : html`${part}`));
}

const STATUS: Record<MailboxMessage['status'], string> = {
  sending: 'sending',
  sent: 'handed to the mail binding',
  failed: 'the send FAILED (see the server log)',
};

export function devMailboxPage(props: { nonce: string; to: string | undefined; messages: readonly MailboxMessage[] }): Html {
  const items = props.messages.map(
    (mail) => html`<article aria-labelledby="mail-${mail.id}">
<h2 id="mail-${mail.id}">${mail.subject}</h2>
<p>To <strong>${mail.to}</strong> · ${new Date(mail.at).toISOString()} · ${STATUS[mail.status]}</p>
<pre>${linkified(mail.text)}</pre>
</article>`,
  );
  return layout({
    title: 'Dev mailbox',
    nonce: props.nonce,
    wide: true,
    body: html`<h1>Dev mailbox</h1>
<p>Account mail sent by this development server${props.to ? html` to <strong>${props.to}</strong>` : ''}, newest first. It lives in the
server's memory until it restarts; wrangler also logs each message and the files it wrote it to.
This page exists only under <code>npm run dev</code>.</p>
${items.length ? items : html`<p role="status">No mail yet.</p>`}`,
  });
}
