import * as v from 'valibot';
import { sha256Base64url } from '../crypto/hash';
import { seal, unseal } from '../crypto/seal';
import type { AppContext } from '../http/context';
import { isLive, type ResetLink, type SignupLink } from '../oauth/account-link';
import { getSealingKey } from '../tokens/key-cache';

const PURPOSES = { signup: 'edge-auth/signup-link/v1', reset: 'edge-auth/reset-link/v1' } as const;

const SignupSchema = v.object({
  email: v.string(),
  name: v.nullable(v.string()),
  passwordHash: v.string(),
  requestId: v.string(),
  clientId: v.string(),
  expiresAt: v.number(),
});
const ResetSchema = v.object({ userId: v.string(), passwordBinding: v.string(), expiresAt: v.number() });

/** Bounds the work a hostile link can ask for: real ones are well under this. */
const MAX_TOKEN_LENGTH = 2048;

export async function sealSignupLink(c: AppContext, link: SignupLink): Promise<string> {
  return seal(await getSealingKey(c.env), PURPOSES.signup, link);
}

export async function sealResetLink(c: AppContext, link: ResetLink): Promise<string> {
  return seal(await getSealingKey(c.env), PURPOSES.reset, link);
}

async function open<T>(c: AppContext, purpose: string, schema: v.GenericSchema<unknown, T>, token: string): Promise<T | undefined> {
  if (token === '' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parsed = v.safeParse(schema, await unseal(await getSealingKey(c.env), purpose, token));
  return parsed.success ? parsed.output : undefined;
}

/** The sign-up behind a link, or undefined when the link is not ours, was altered or expired. */
export async function openSignupLink(c: AppContext, token: string): Promise<SignupLink | undefined> {
  const link = await open(c, PURPOSES.signup, SignupSchema, token);
  return link && isLive(link, Date.now()) ? link : undefined;
}

export async function openResetLink(c: AppContext, token: string): Promise<ResetLink | undefined> {
  const link = await open(c, PURPOSES.reset, ResetSchema, token);
  return link && isLive(link, Date.now()) ? link : undefined;
}

/** Binds a reset link to the password it was issued for: the stored hash, hashed again. */
export function passwordBinding(passwordHash: string): Promise<string> {
  return sha256Base64url(passwordHash);
}
