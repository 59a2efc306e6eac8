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
  // Sign-up, password reset and email confirmation pages (src/views/account-pages.ts)
  createAccountTitle: (app: string) => `Create account · ${app}`,
  name: 'Name',
  optional: '(optional)',
  haveAccount: 'I already have an account',
  passwordRule: (min: string) => `At least ${min} characters. Long phrases are welcome; common passwords are refused.`,
  invalidEmail: 'Enter a valid email address.',
  tooManyAttempts: 'Too many attempts. Wait a minute and try again.',
  checkInbox: 'Check your inbox',
  weSentTo: (email: Piece) => html`We sent an email to ${email}.`,
  inboxSignup: 'Open the link in it to confirm your address and finish creating your account. If this address already has an account, the email says so.',
  inboxReset: 'If there is an account with this address, the email has a link to choose a new password.',
  noEmailYet: 'No email after a few minutes? Check your spam folder, or go back and try again.',
  resetYourPassword: 'Reset your password',
  resetIntro: 'Enter your email and we will send you a link to choose a new password.',
  sendResetLink: 'Send reset link',
  chooseNewPassword: 'Choose a new password',
  savingSignsOut: 'Saving it signs you out on every device.',
  savePassword: 'Save password',
  finishCreating: 'Finish creating your account',
  confirmedByLink: (email: Piece) => html`Your email ${email} is confirmed by this link.`,
  confirmYourEmail: 'Confirm your email',
  confirmThatAddress: (email: Piece) => html`Confirm that ${email} is the address of your account.`,
  confirmEmail: 'Confirm email',
  needsConfirmedAddress: (app: string, email: Piece) => html`${app} needs a confirmed address. We sent a link to ${email}.`,
  thisApp: 'This app',
  openLinkThenContinue: 'Open the link in the email, then continue here.',
  confirmedContinue: 'I confirmed it, continue',
  sendAgain: 'Send the email again',
  couldNotSend: 'We could not send the email. Try again in a moment.',
  sentAgain: 'We sent the email again.',
  notConfirmedYet: 'Your address is not confirmed yet. Open the link in the email first.',
  linkExpired: 'Link expired',
  signupLinkUsed: 'This link has expired or was already used. Go back to the app and sign in, or create your account again.',
  resetLinkUsed: 'This link has expired, was already used, or your password changed since it was sent. Ask for a new one.',
  verifyLinkUsed: 'This link has expired or was already used, or the address of the account changed since it was sent.',
  accountReady: 'Your account is ready',
  returnAndSignIn: (app: string) => `Return to ${app} and sign in with your email and password.`,
  theApp: 'the app',
  passwordChanged: 'Your password was changed',
  signedOutEverywhere: 'You were signed out on every device. Return to the app and sign in with your new password.',
  emailConfirmed: 'Email confirmed',
  thankYouClose: 'Thank you. You can close this window and return to the app.',
  // The error page, for refusals that carry catalogue keys (src/errors/oauth-error.ts, pageRefusal)
  errorReturnToApp: 'Return to the app and try signing in again.',
  errorReference: (code: Piece, id: Piece) => html`Error ${code} · Request ID ${id}`,
  sessionExpiredTitle: 'Sign-in session expired',
  sessionExpired: 'This sign-in page has expired or was already used. Return to the app and start again.',
  signInRefused: 'Sign-in refused',
  foreignForm: 'The sign-in form was sent from another site.',
  accountCannotSignIn: 'This account cannot sign in. Contact the app’s support.',
};

/** English's keys with any text: `const de: Messages = {...}` fails to compile when a key is missing or extra. */
export type Messages = { [K in keyof typeof en]: (typeof en)[K] extends string ? string : (typeof en)[K] };
