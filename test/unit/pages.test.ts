import { describe, expect, it } from 'vitest';
import { loginPage } from '../../src/views/pages';

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
    const html = await render({ email: 'a@example.com', error: 'Incorrect email or password.' });
    expect(html).toMatch(/<input id="email"[^>]*required value="a@example.com" aria-invalid="true" aria-describedby="login-error">/);
    expect(html).toMatch(/<input id="password"[^>]*required autofocus aria-invalid="true" aria-describedby="login-error">/);
    expect(await render()).toMatch(/<input id="email"[^>]*required autofocus value="">/);
  });
});
