import { html } from 'hono/html';
import type { Piece } from './piece';

/**
 * The source catalogue: every other language has exactly these keys (src/i18n/messages.ts types
 * them, test/unit/i18n.test.ts checks them at runtime). A message with a value is a function; a
 * `Piece` argument may carry markup the view chose (bold), so the translation decides only where it goes.
 */
export const en = {
  // Login page
  signInTitle: (app: string) => `Sign in · ${app}`,
  signIn: 'Sign in',
  toContinueTo: (app: string) => `to continue to ${app}`,
  unverifiedNamedBy: (site: string) => `Unverified app: its name comes from ${site}.`,
  email: 'Email',
  password: 'Password',
  showPassword: 'Show password',
  continue: 'Continue',
  forgotPassword: 'Forgot password?',
  createAccount: 'Create account',
  loginFailed: 'Incorrect email or password.',
  loginIncomplete: 'Enter your email and password.',
  // Consent page
  allowApp: (app: string) => `Allow ${app}?`,
  signedInAs: (who: Piece) => html`Signed in as ${who}`,
  notYou: 'Not you?',
  asksToUse: (app: string, api: string) => `${app} asks to use ${api} on your behalf, to:`,
  scopeOpenid: 'Confirm who you are',
  scopeProfile: 'Your name and profile',
  scopeEmail: 'Your email address',
  scopeOfflineAccess: 'Stay signed in when you are not using the app',
  allow: 'Allow',
  deny: 'Deny',
  // One-tap continue page
  continueTo: (app: string) => `Continue to ${app}?`,
  continueAs: (email: string) => `Continue as ${email}`,
  useAnotherAccount: 'Use another account',
  // Unverified-app notice
  unverifiedApp: 'Unverified app.',
  nameComesFrom: (site: string) => `Its name comes from ${site}, not from this service.`,
  selfRegistered: 'This app registered itself: its name is not verified.',
  allowOnlyIfExpected: 'Allow only if you started this from the app you expect.',
  sentBackTo: (place: Piece) => html`You will be sent back to ${place}.`,
  onThisDevice: (place: string) => `${place} (an app on this device)`,
};

/** English's keys with any text: `const de: Messages = {...}` fails to compile when a key is missing or extra. */
export type Messages = { [K in keyof typeof en]: (typeof en)[K] extends string ? string : (typeof en)[K] };
