import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * A software WebAuthn authenticator for unit tests: an ES256 (P-256) key pair, `none`
 * attestation, and authenticator data and client data built byte for byte as the specification
 * lays them out (https://www.w3.org/TR/webauthn-3/#sctn-authenticator-data). It lets the server
 * checks run for real without a browser; the browser ceremony is tested in Chromium with its
 * virtual authenticator.
 */

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

export interface CeremonyOverrides {
  origin?: string;
  challenge?: string;
  rpID?: string;
  type?: string;
  userVerified?: boolean;
  /** The counter to report instead of the next one. */
  counter?: number;
  userHandle?: string | null;
  /** Change one byte of the signature. */
  tamperSignature?: boolean;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(32);
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  private counter = 0;
  private userHandleB64: string | null = null;

  /** `counting: false` is a synced passkey's behaviour: it reports 0 every time. */
  constructor(
    private readonly origin: string,
    private readonly rpID: string,
    private readonly counting = true,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.publicJwk = { x: jwk.x!, y: jwk.y! };
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private nextCounter(override?: number): number {
    if (override !== undefined) return override;
    if (!this.counting) return 0;
    this.counter += 1;
    return this.counter;
  }

  private authenticatorData(rpID: string, flags: number, counter: number, attested?: Uint8Array) {
    const header = Buffer.alloc(37);
    createHash('sha256').update(rpID).digest().copy(header, 0);
    header[32] = flags;
    header.writeUInt32BE(counter, 33);
    return attested ? Buffer.concat([header, attested]) : header;
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** Answers `navigator.credentials.create(options)`. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: CeremonyOverrides = {},
  ): RegistrationResponseJSON {
    this.userHandleB64 = options.user.id;
    const coseKey = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, new Uint8Array(Buffer.from(this.publicJwk.x, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(this.publicJwk.y, 'base64url'))],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([
      Buffer.alloc(16), // AAGUID: none given
      idLength,
      this.credentialId,
      Buffer.from(isoCBOR.encode(coseKey)),
    ]);
    const uv = overrides.userVerified ?? true;
    const authData = this.authenticatorData(
      overrides.rpID ?? this.rpID,
      FLAG_UP | (uv ? FLAG_UV : 0) | FLAG_AT,
      overrides.counter ?? 0,
      attested,
    );
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, never>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, never>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    const clientDataJSON = this.clientData(
      overrides.type ?? 'webauthn.create',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    };
  }

  /** Answers `navigator.credentials.get(options)`. */
  authenticate(
    options: { challenge: string },
    overrides: CeremonyOverrides = {},
  ): AuthenticationResponseJSON {
    const uv = overrides.userVerified ?? true;
    const authData = this.authenticatorData(
      overrides.rpID ?? this.rpID,
      FLAG_UP | (uv ? FLAG_UV : 0),
      this.nextCounter(overrides.counter),
    );
    const clientDataJSON = this.clientData(
      overrides.type ?? 'webauthn.get',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    );
    const signed = Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]);
    // ES256 signatures in WebAuthn are ASN.1 DER, node's default encoding for EC keys.
    const signature = sign('sha256', signed, this.privateKey);
    if (overrides.tamperSignature) signature[signature.length - 1]! ^= 0x01;
    const userHandle =
      overrides.userHandle === undefined ? this.userHandleB64 : overrides.userHandle;
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle ? { userHandle } : {}),
      },
      clientExtensionResults: {},
    };
  }
}
