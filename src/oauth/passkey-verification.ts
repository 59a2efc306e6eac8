// Deep imports: the package's index would bring its whole AAGUID-name table (10.8 KiB gzip) along.
import { parseAuthenticator, parseClient } from '@passwordless-id/webauthn/dist/esm/parsers.js';
import { parseCryptoKey, verifyAuthentication } from '@passwordless-id/webauthn/dist/esm/server.js';
import { base64url } from 'jose';
import * as v from 'valibot';
import { UNNAMED_PASSKEY, type StoredPasskey } from './passkey-record';

/**
 * WebAuthn ceremony checks (Level 3, sections 7.1 and 7.2) on top of @passwordless-id/webauthn.
 * That library was chosen over @simplewebauthn/server for its size (13.5 KiB gzip against 88 KiB):
 * it verifies with WebCrypto against the SPKI public key the browser's JSON serialization carries
 * (`getPublicKey()`), so there is no CBOR or attestation-statement parsing, which attestation
 * `none` does not need. Its `verifyAuthentication` checks the type, origin, challenge, RP ID hash,
 * UP and UV flags and the signature. Added here: `crossOrigin` and `topOrigin` (never embedded),
 * the algorithms we ask for, bounded sizes, a signature encoding its ES256 decoder reads wrongly
 * when r or s is shorter than 32 bytes, and (in the record) the counter and backup flags. The
 * challenge's single use and the user handle are checked by the callers. Registration is checked
 * here (see verifyPasskeyRegistration for why).
 */

const b64u = v.pipe(v.string(), v.maxLength(4096), v.regex(/^[\w-]*$/));
/** WebAuthn 5.1: a credential id is at most 1023 bytes. */
const credentialId = v.pipe(v.string(), v.minLength(16), v.maxLength(1364), v.regex(/^[\w-]+$/));

/** What every credential's JSON carries besides its response. */
const CREDENTIAL = { id: credentialId, rawId: credentialId, type: v.literal('public-key') };

const RegistrationSchema = v.object({
  ...CREDENTIAL,
  response: v.object({
    clientDataJSON: b64u,
    authenticatorData: b64u,
    attestationObject: v.optional(b64u),
    publicKey: b64u,
    publicKeyAlgorithm: v.picklist([-7, -257]),
    transports: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(32))), v.maxLength(8)), []),
  }),
});

const AssertionSchema = v.object({
  ...CREDENTIAL,
  response: v.object({
    clientDataJSON: b64u,
    authenticatorData: b64u,
    signature: b64u,
    userHandle: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(128), v.regex(/^[\w-]*$/)))),
  }),
});

export type RegistrationJson = v.InferOutput<typeof RegistrationSchema>;
export type AssertionJson = v.InferOutput<typeof AssertionSchema>;

/** Parses a credential the browser or app sent as JSON text; undefined when it is not one. */
export function parseRegistration(text: string): RegistrationJson | undefined {
  return parseJson(text, RegistrationSchema);
}

export function parseAssertion(text: string): AssertionJson | undefined {
  return parseJson(text, AssertionSchema);
}

function parseJson<T extends v.GenericSchema>(text: string, schema: T): v.InferOutput<T> | undefined {
  if (text.length > 16_384) return undefined;
  try {
    const parsed = v.safeParse(schema, JSON.parse(text));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

export interface CeremonyExpectation {
  /** The challenge we issued, base64url, exactly as the client data must carry it. */
  challenge: string;
  rpId: string;
  origins: readonly string[];
}

export type Verified<T> = { ok: true; value: T } | { ok: false; detail: string };

/** The user handle we give a credential: the user id's UTF-8 bytes, base64url. Not personal data. */
export const userHandleFor = (userId: string) => base64url.encode(new TextEncoder().encode(userId));

/** The challenge ceremony the client data must not be embedded in another origin's frame. */
function clientDataProblem(clientDataJSON: string): string | undefined {
  const client = parseClient(clientDataJSON);
  if (client.crossOrigin === true || client.topOrigin !== undefined) return 'cross-origin ceremony';
  return undefined;
}

/**
 * A new passkey (attestation `none`): what we store, with its provider's name as its default name.
 * Checked here rather than by the library's `verifyRegistration`, which would bring its whole
 * AAGUID-name table (10.8 KiB gzip) into the worker and checks nothing more: with attestation
 * `none` nothing is signed, so registration is the client data (type, challenge, origin) and the
 * authenticator data (RP ID hash, UP, UV) of WebAuthn 7.1, steps 7 to 16.
 */
export async function verifyPasskeyRegistration(json: RegistrationJson, expected: CeremonyExpectation, now: number): Promise<Verified<{ id: string; passkey: StoredPasskey }>> {
  try {
    const client = parseClient(json.response.clientDataJSON);
    const problem = clientDataProblem(json.response.clientDataJSON);
    if (problem) return { ok: false, detail: problem };
    if (client.type !== 'webauthn.create') return { ok: false, detail: 'not a registration' };
    if (client.challenge !== expected.challenge) return { ok: false, detail: 'another challenge' };
    if (!expected.origins.includes(client.origin)) return { ok: false, detail: 'foreign origin' };
    const authenticator = parseAuthenticator(json.response.authenticatorData);
    // The library's base64url keeps its padding.
    if (authenticator.rpIdHash.replace(/=+$/, '') !== base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(expected.rpId))))) {
      return { ok: false, detail: 'another RP ID' };
    }
    const { flags, aaguid } = authenticator;
    if (!flags.userPresent || !flags.userVerified) return { ok: false, detail: 'user not present or not verified' };
    const passkey: StoredPasskey = {
      publicKey: json.response.publicKey,
      algorithm: json.response.publicKeyAlgorithm === -257 ? 'RS256' : 'ES256',
      signCount: authenticator.signCount,
      transports: json.response.transports,
      backupEligible: flags.backupEligibility,
      backedUp: flags.backupState,
      aaguid,
      // Named after its provider by the caller (src/interaction/static-data.ts), which reads the table.
      name: UNNAMED_PASSKEY,
      createdAt: now,
      lastUsedAt: undefined,
    };
    // The key must import (WebAuthn 7.1 step 26 stores it for later): refused now rather than at every sign-in.
    await parseCryptoKey(passkey.algorithm, passkey.publicKey);
    return { ok: true, value: { id: json.id, passkey } };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message.slice(0, 200) : 'unreadable' };
  }
}

/** A sign-in assertion by a stored passkey: what its authenticator data says, for the record's checks. */
export async function verifyPasskeyAssertion(
  json: AssertionJson,
  passkey: Pick<StoredPasskey, 'publicKey' | 'algorithm'>,
  expected: CeremonyExpectation,
): Promise<Verified<{ signCount: number; backupEligible: boolean; backedUp: boolean }>> {
  try {
    const problem = clientDataProblem(json.response.clientDataJSON);
    if (problem) return { ok: false, detail: problem };
    const signature = passkey.algorithm === 'ES256' ? paddedEcdsaSignature(json.response.signature) : json.response.signature;
    if (signature === undefined) return { ok: false, detail: 'malformed signature' };
    await verifyAuthentication(
      { ...json, clientExtensionResults: {}, response: { ...json.response, signature, userHandle: json.response.userHandle ?? undefined } },
      { id: json.id, publicKey: passkey.publicKey, algorithm: passkey.algorithm, transports: [] },
      { challenge: expected.challenge, origin: (origin: string) => expected.origins.includes(origin), domain: expected.rpId, userVerified: true },
    );
    const { flags, signCount } = parseAuthenticator(json.response.authenticatorData);
    return { ok: true, value: { signCount, backupEligible: flags.backupEligibility, backedUp: flags.backupState } };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message.slice(0, 200) : 'unreadable' };
  }
}

/**
 * An ES256 signature is DER: SEQUENCE { INTEGER r, INTEGER s }, each integer minimal, so 31 to 33
 * bytes long. The library's decoder assumes 32 or 33 and misreads shorter ones (about one
 * signature in 128 would fail); re-encoded here with both integers as 33 bytes (a leading zero),
 * which it reads right. Undefined for anything that is not such a DER signature.
 */
export function paddedEcdsaSignature(signature: string): string | undefined {
  const der = base64url.decode(signature);
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const integers: Uint8Array[] = [];
  let at = 2;
  for (let i = 0; i < 2; i++) {
    const length = der[at + 1] ?? 0;
    if (der[at] !== 0x02 || length < 1 || length > 33 || at + 2 + length > der.length) return undefined;
    let value = der.subarray(at + 2, at + 2 + length);
    while (value.length > 32 && value[0] === 0) value = value.subarray(1);
    if (value.length > 32) return undefined;
    integers.push(value);
    at += 2 + length;
  }
  if (at !== der.length) return undefined;
  const out = new Uint8Array(2 + 2 * 35);
  out.set([0x30, 70]);
  integers.forEach((value, i) => {
    const start = 2 + i * 35;
    out.set([0x02, 33], start);
    out.set(value, start + 2 + 33 - value.length);
  });
  return base64url.encode(out);
}
