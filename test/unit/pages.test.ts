import { describe, expect, it } from 'vitest';
import { errorPage, loginPage } from '../../src/views/pages';

const render = async (props: Partial<Parameters<typeof loginPage>[0]> = {}) =>
  String(await loginPage({ nonce: 'n', clientName: 'App', requestId: 'r', ...props }));

describe('pages: branding and accessibility details', () => {
  it('puts black text on a light brand colour and white on a dark one (WCAG contrast)', async () => {
    expect(await render({ accent: '#ffd400' })).toContain(':root{--accent:#ffd400;--on-accent:#000}');
    expect(await render({ accent: '#0a7d32' })).toContain(':root{--accent:#0a7d32;--on-accent:#fff}');
  });

  it('ignores anything that is not exactly #rrggbb (it is written into CSS)', async () => {
    for (const accent of ['red', '#fff', '#0a7d32}body{display:none', 'url(x)']) {
      expect(await render({ accent })).not.toContain('--accent:' + accent);
    }
  });

  it('after an error, marks both fields invalid and focuses the password when the email is kept', async () => {
    const html = await render({ email: 'a@example.com', error: 'loginFailed' });
    expect(html).toMatch(/<input id="email"[^>]*required value="a@example.com" aria-invalid="true" aria-describedby="login-error">/);
    expect(html).toMatch(/<input id="password"[^>]*required autofocus aria-invalid="true" aria-describedby="login-error">/);
    expect(await render()).toMatch(/<input id="email"[^>]*required autofocus value="">/);
  });
});

describe('pages: header, titles and error references', () => {
  it('shows the logo when the client has one, else its initial, and titles the tab with the app', async () => {
    const branded = await render({ clientName: 'Partner App', logoUri: 'https://partner.example.com/logo.png' });
    expect(branded).toContain('<header class="brand"><img class="logo" src="https://partner.example.com/logo.png" alt="" width="48" height="48"></header>');
    expect(branded).toContain('<title>Sign in · Partner App</title>');
    expect(await render({ clientName: 'émile app' })).toContain('<span class="mark" aria-hidden="true">É</span>');
    // The name is escaped wherever it is written.
    const hostile = await render({ clientName: '<b>x</b>' });
    expect(hostile).toContain('<title>Sign in · &lt;b&gt;x&lt;/b&gt;</title>');
    expect(hostile).toContain('<span class="mark" aria-hidden="true">&lt;</span>');
  });

  it('an error page shows the OAuth code and the request id, and the server mark', async () => {
    const html = String(await errorPage({ nonce: 'n', title: 'Sign-in request not valid', description: 'Nope.', code: 'invalid_request', requestId: 'k3m9x2qr7d' }));
    expect(html).toContain('<title>Sign-in request not valid</title>');
    expect(html).toContain('<p class="reference">Error <code>invalid_request</code> · Request ID <code>k3m9x2qr7d</code></p>');
    expect(html).toContain('<img class="logo" src="/favicon.svg" alt=""');
    expect(html).not.toContain('<script');
  });
});
