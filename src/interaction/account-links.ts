import * as v from 'valibot';
import { sha256Base64url } from '../crypto/hash';
import { seal, unseal } from '../crypto/seal';
import { isLive, type EmailChangeLink, type ResetLink, type SignupLink, type VerifyLink } from '../oauth/account-link';
import { getSealingKey } from '../tokens/key-cache';

const PURPOSES = { signup: 'edge-auth/signup-link/v1', reset: 'edge-auth/reset-link/v1', verify: 'edge-auth/verify-link/v1', emailChange: 'edge-auth/email-change-link/v1' } as const;

const SignupSchema = v.object({
  email: v.string(),
  name: v.nullable(v.string()),
  passwordHash: v.string(),
  requestId: v.string(),
  clientId: v.string(),
  expiresAt: v.number(),
});
const ResetSchema = v.object({ userId: v.string(), passwordBinding: v.string(), expiresAt: v.number() });
const VerifySchema = v.object({ userId: v.string(), email: v.string(), expiresAt: v.number() });
const EmailChangeSchema = v.object({ userId: v.string(), from: v.string(), to: v.string(), passwordBinding: v.string(), expiresAt: v.number() });

/** Bounds the work a hostile link can ask for: real ones are well under this. */
const MAX_TOKEN_LENGTH = 2048;

export async function sealSignupLink(env: Env, link: SignupLink): Promise<string> {
  return seal(await getSealingKey(env), PURPOSES.signup, link);
}

export async function sealResetLink(env: Env, link: ResetLink): Promise<string> {
  return seal(await getSealingKey(env), PURPOSES.reset, link);
}

export async function sealVerifyLink(env: Env, link: VerifyLink): Promise<string> {
  return seal(await getSealingKey(env), PURPOSES.verify, link);
}

export async function sealEmailChangeLink(env: Env, link: EmailChangeLink): Promise<string> {
  return seal(await getSealingKey(env), PURPOSES.emailChange, link);
}

/** What a link carries, or undefined when it is not ours, was altered, was sealed for another purpose or expired. */
async function open<T extends { expiresAt: number }>(env: Env, purpose: string, schema: v.GenericSchema<unknown, T>, token: string): Promise<T | undefined> {
  if (token === '' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parsed = v.safeParse(schema, await unseal(await getSealingKey(env), purpose, token));
  return parsed.success && isLive(parsed.output, Date.now()) ? parsed.output : undefined;
}

export const openSignupLink = (env: Env, token: string): Promise<SignupLink | undefined> => open(env, PURPOSES.signup, SignupSchema, token);
export const openResetLink = (env: Env, token: string): Promise<ResetLink | undefined> => open(env, PURPOSES.reset, ResetSchema, token);
export const openVerifyLink = (env: Env, token: string): Promise<VerifyLink | undefined> => open(env, PURPOSES.verify, VerifySchema, token);
export const openEmailChangeLink = (env: Env, token: string): Promise<EmailChangeLink | undefined> =>
  open(env, PURPOSES.emailChange, EmailChangeSchema, token);

/** Binds a reset link to the password it was issued for: the stored hash, hashed again. */
export function passwordBinding(passwordHash: string): Promise<string> {
  return sha256Base64url(passwordHash);
}
