/** The dev mailbox (/dev/mailbox, on in the tests by DEV_MAILBOX): the account mail the worker sent. */
import { expect } from 'vitest';
import { call } from './http';

export interface ReadMail {
  subject: string;
  /** The plain-text body, unescaped. */
  text: string;
  links: string[];
}

const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Every message sent to `to`, newest first. */
export async function mailTo(to: string): Promise<ReadMail[]> {
  const response = await call(`/dev/mailbox?to=${encodeURIComponent(to)}`);
  expect(response.status).toBe(200);
  const page = await response.text();
  return [...page.matchAll(/<article[^>]*>\s*<h2[^>]*>([^<]*)<\/h2>[\s\S]*?<pre>([\s\S]*?)<\/pre>/g)].map(([, subject, body]) => {
    const text = unescape(body!.replace(/<a href="[^"]*">([^<]*)<\/a>/g, '$1'));
    return { subject: unescape(subject!), text, links: [...text.matchAll(/https?:\/\/\S+/g)].map(([link]) => link) };
  });
}

/** The one link of the newest message to `to` whose path is `path`. */
export async function linkIn(to: string, path: string): Promise<URL> {
  const [newest] = await mailTo(to);
  expect(newest, `a mail to ${to}`).toBeDefined();
  const link = newest!.links.map((href) => new URL(href)).find((url) => url.pathname === path);
  expect(link, `a ${path} link in "${newest!.subject}"`).toBeDefined();
  return link!;
}
