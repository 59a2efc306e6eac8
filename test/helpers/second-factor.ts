/** The authenticator app of a test: enrolment through the account page, and the code of any moment. */
import { expect } from 'vitest';
import { base32Decode, hotp, totpStep } from '../../src/crypto/totp';
import { call, cookieFrom, form, SESSION_COOKIE } from './http';
import { freshIp } from './values';

/** The code an authenticator app with this secret shows at `at` (ms). */
export const codeAt = (secret: string, at: number) => hotp(base32Decode(secret)!, totpStep(at));

export const post = (path: string, fields: Record<string, string>, cookie = '', headers: Record<string, string> = {}) =>
  call(path, form(fields, { headers: { Cookie: cookie, 'CF-Connecting-IP': freshIp(), ...headers } }));

/** The hidden field `name` of a page's form. */
export const hiddenValue = (page: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)?.[1];

/** The secret an enrolment page shows for typing by hand (grouped by four). */
export const secretOn = (page: string) => /<pre id="secret">([A-Z2-7 ]+)<\/pre>/.exec(page)?.[1]?.replace(/ /g, '');

export const recoveryCodesOn = (page: string) => /<pre id="recovery-codes">([^<]+)<\/pre>/.exec(page)?.[1]?.split('\n') ?? [];

/** Signs in on the account page (password only: the user has no factor yet) and enrols an app; the secret and recovery codes. */
export async function enrolOnAccountPage(email: string, password: string): Promise<{ secret: string; recoveryCodes: string[]; cookie: string }> {
  const signedIn = await post('/account/sign-in', { email, password });
  expect(signedIn.status).toBe(303);
  const cookie = cookieFrom(signedIn, SESSION_COOKIE);
  const page = await (await call('/account/two-step', { headers: { Cookie: cookie } })).text();
  const secret = secretOn(page);
  const token = hiddenValue(page, 'token');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  const enrolled = await post('/account/two-step', { token: token!, code: await codeAt(secret!, Date.now()) }, cookie);
  expect(enrolled.status).toBe(200);
  const recoveryCodes = recoveryCodesOn(await enrolled.text());
  expect(recoveryCodes).toHaveLength(10);
  return { secret: secret!, recoveryCodes, cookie };
}
