import { seal, unseal } from '../crypto/seal';
import type { AppContext } from '../http/context';
import { getSealingKey } from '../tokens/key-cache';
import { renderPage } from '../views/page-response';
import { secondFactorPage } from '../views/second-factor-pages';
import { pageLocale } from './page-locale';

/** The page's sealed state lives 10 minutes: an enrolment's secret, or a sign-in's first factor. */
const SEALED_TTL_MS = 10 * 60 * 1000;
export const ENROLMENT = 'edge-auth/totp-enrolment/v1';
export const FIRST_FACTOR = 'edge-auth/account-first-factor/v1';

export async function sealFor(c: AppContext, purpose: string, value: Record<string, unknown>): Promise<string> {
  return seal(await getSealingKey(c.env), purpose, { ...value, expiresAt: Date.now() + SEALED_TTL_MS });
}

export async function unsealFor<T extends { userId: string }>(c: AppContext, purpose: string, token: string): Promise<T | undefined> {
  const value = (await unseal(await getSealingKey(c.env), purpose, token)) as (T & { expiresAt?: unknown }) | undefined;
  return value && typeof value.userId === 'string' && typeof value.expiresAt === 'number' && value.expiresAt > Date.now() ? value : undefined;
}

/** The account sign-in's second step: the first factor, sealed into the form for 10 minutes. */
export async function accountSecondFactorPage(c: AppContext, userId: string, status: 200 | 401 | 429, options: { token?: string; error?: string; recovery?: boolean } = {}): Promise<Response> {
  const token = options.token ?? (await sealFor(c, FIRST_FACTOR, { userId }));
  return renderPage(c, status, (nonce) =>
    secondFactorPage({
      nonce, locale: pageLocale(c, undefined), error: options.error, recovery: options.recovery ?? false,
      form: { action: '/account/second-factor', hidden: { token } },
      switchForm: { action: '/account/second-factor', hidden: { token, show: options.recovery ? 'app' : 'recovery' } },
    }),
  );
}

