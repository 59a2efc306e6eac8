/**
 * A WebAuthn authenticator in software, for tests in workerd and over HTTP: an ECDSA P-256 key
 * from WebCrypto, authenticator data and client data built here byte by byte (WebAuthn Level 3,
 * sections 6.1 and 5.8.1), signatures DER-encoded as authenticators send them. It answers with the
 * JSON the browser's serialization gives (what src/views/passkey-views.ts posts), and every field
 * can be spoiled to test a refusal.
 */
import { base64url } from 'jose';

const encoder = new TextEncoder();
const sha256 = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));

/** Flag bits of the authenticator data (WebAuthn 6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

/** The AAGUID of Chromium's virtual authenticator, which the library's metadata names. */
export const CHROMIUM_AAGUID = '01020304-0506-0708-0102-030405060708';

export interface CeremonyOptions {
  challenge: string;
  origin?: string;
  rpId?: string;
  /** Authenticator data flags; default UP | UV (plus BE | BS for a synced authenticator). */
  flags?: number;
  type?: string;
  crossOrigin?: boolean;
  /** The counter to send; default: the authenticator's, incremented (0 when it keeps none). */
  signCount?: number;
  userHandle?: string | null;
}

export interface Registration {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; attestationObject: string; publicKey: string; publicKeyAlgorithm: number; transports: string[] };
}

export interface Assertion {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle: string | null };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const uint32 = (n: number) => new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const aaguidBytes = (aaguid: string) => Uint8Array.from(aaguid.replace(/-/g, '').match(/../g)!.map((h) => parseInt(h, 16)));

/** A raw r||s ECDSA signature as ASN.1 DER, integers minimal as authenticators send them. */
export function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const value = bytes.subarray(start);
    const body = value[0]! & 0x80 ? concat(new Uint8Array([0]), value) : value;
    return concat(new Uint8Array([0x02, body.length]), body);
  };
  const body = concat(integer(raw.subarray(0, 32)), integer(raw.subarray(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

export class SoftwareAuthenticator {
  private keys: CryptoKeyPair | undefined;
  readonly credentialId = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  private userHandle: string | null = null;
  /** The counter; stays 0 for an authenticator that keeps none (like synced passkeys). */
  signCount: number;

  constructor(
    readonly defaults: { origin: string; rpId: string; synced?: boolean; counts?: boolean; aaguid?: string },
  ) {
    this.signCount = 0;
  }

  private baseFlags(): number {
    return FLAGS.UP | FLAGS.UV | (this.defaults.synced ? FLAGS.BE | FLAGS.BS : 0);
  }

  private clientData(type: string, options: CeremonyOptions): Uint8Array {
    const data: Record<string, unknown> = { type, challenge: options.challenge, origin: options.origin ?? this.defaults.origin };
    if (options.crossOrigin !== undefined) data.crossOrigin = options.crossOrigin;
    return encoder.encode(JSON.stringify(data));
  }

  /** navigator.credentials.create(): a new discoverable credential for `userHandle`. */
  async create(options: CeremonyOptions & { userHandle: string }): Promise<Registration> {
    this.keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    this.userHandle = options.userHandle;
    const raw = new Uint8Array((await crypto.subtle.exportKey('raw', this.keys.publicKey)) as ArrayBuffer);
    // COSE_Key (RFC 9053): {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}
    const cose = concat(new Uint8Array([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]), raw.subarray(1, 33), new Uint8Array([0x22, 0x58, 0x20]), raw.subarray(33));
    const id = base64url.decode(this.credentialId);
    const flags = options.flags ?? this.baseFlags() | FLAGS.AT;
    const authenticatorData = concat(
      await sha256(encoder.encode(options.rpId ?? this.defaults.rpId)), new Uint8Array([flags]), uint32(options.signCount ?? this.signCount),
      aaguidBytes(this.defaults.aaguid ?? CHROMIUM_AAGUID), new Uint8Array([id.length >> 8, id.length & 255]), id, cose,
    );
    const spki = new Uint8Array((await crypto.subtle.exportKey('spki', this.keys.publicKey)) as ArrayBuffer);
    return {
      id: this.credentialId, rawId: this.credentialId, type: 'public-key',
      response: {
        clientDataJSON: base64url.encode(this.clientData(options.type ?? 'webauthn.create', options)),
        authenticatorData: base64url.encode(authenticatorData), attestationObject: '', publicKey: base64url.encode(spki), publicKeyAlgorithm: -7, transports: ['internal'],
      },
    };
  }

  /** navigator.credentials.get(): an assertion over the challenge, the counter moving on if it counts. */
  async get(options: CeremonyOptions): Promise<Assertion> {
    if (!this.keys) throw new Error('create() first');
    if (this.defaults.counts && options.signCount === undefined) this.signCount += 1;
    const clientData = this.clientData(options.type ?? 'webauthn.get', options);
    const authenticatorData = concat(await sha256(encoder.encode(options.rpId ?? this.defaults.rpId)), new Uint8Array([options.flags ?? this.baseFlags()]), uint32(options.signCount ?? this.signCount));
    const signed = concat(authenticatorData, await sha256(clientData));
    const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, this.keys.privateKey, signed as BufferSource));
    return {
      id: this.credentialId, rawId: this.credentialId, type: 'public-key',
      response: {
        clientDataJSON: base64url.encode(clientData), authenticatorData: base64url.encode(authenticatorData),
        signature: base64url.encode(derSignature(raw)), userHandle: options.userHandle === undefined ? this.userHandle : options.userHandle,
      },
    };
  }
}
