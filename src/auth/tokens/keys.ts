import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { Algorithm, AuthConfig } from '../config/types';

type Key = CryptoKey | KeyObject | Uint8Array;

/** A verification key and the one algorithm it may be used with (no algorithm confusion). */
export interface VerificationKey {
  kid: string | null;
  alg: Algorithm;
  key: Key;
}

/** The keys the kit signs and verifies its tokens with, and the public JWKS it publishes. */
export interface Keyring {
  /** The private key that signs (the first configured key). */
  signing: VerificationKey;
  /** By `kid`; HS256 uses the single entry under the empty string. */
  verification: Map<string, VerificationKey>;
  algorithms: Algorithm[];
  /** The public JWK set, serialised once (docs/contract.md section 2: never a private member). */
  jwksJson: string;
  /** HMAC key of the session cookie JWT (derived from AUTH_SECRET, never from AUTH_HS256_KEY). */
  sessionKey: CryptoKey;
  /** HMAC key that derives a session's CSRF token from its `sid` (derived from AUTH_SECRET). */
  csrfKey: KeyObject;
}

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

/** Copies only the public members of a JWK, plus `kid`, `alg` and `use: "sig"`. */
export function toPublicJwk(jwk: JWK): JWK {
  const publicJwk: JWK = {};
  for (const member of PUBLIC_MEMBERS)
    if (jwk[member] !== undefined) publicJwk[member] = jwk[member];
  return { ...publicJwk, kid: jwk.kid, alg: jwk.alg, use: 'sig' };
}

/** Derives a purpose-bound key from AUTH_SECRET, so one secret never keys two mechanisms. */
export function deriveKey(secret: string, purpose: string): KeyObject {
  return createSecretKey(createHmac('sha256', secret).update(`auth-kit:${purpose}`).digest());
}

/**
 * Imports an HMAC key once as a CryptoKey: handed raw bytes or a KeyObject, jose would import it
 * again on every sign and verify (measured: a sixth of a refresh's CPU went to signing).
 */
function importHmacKey(bytes: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    new Uint8Array(bytes),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
}

/**
 * Imports the configured keys once: the first signing key signs; every key verifies, pinned to its
 * own `alg`; all public keys are published (retired keys stay until their tokens expire). With
 * HS256 the JWT key is AUTH_HS256_KEY as given (as simplejwt's SIGNING_KEY) and nothing else is
 * derived from it, while every cookie key comes from AUTH_SECRET: a service handed the HS256 key
 * to verify tokens cannot sign cookies.
 * @throws Error when a key cannot be imported, or HS256 has no key.
 */
export async function loadKeyring(
  config: Pick<AuthConfig, 'algorithm' | 'secret' | 'signingKeys'> &
    Partial<Pick<AuthConfig, 'hs256Key'>>,
): Promise<Keyring> {
  const sessionKey = await importHmacKey(deriveKey(config.secret, 'session-cookie').export());
  const csrfKey = deriveKey(config.secret, 'csrf');
  if (config.algorithm === 'HS256') {
    if (!config.hs256Key) throw new Error('no signing key for HS256: set AUTH_HS256_KEY');
    const entry: VerificationKey = {
      kid: null,
      alg: 'HS256',
      key: await importHmacKey(new TextEncoder().encode(config.hs256Key)),
    };
    return {
      signing: entry,
      verification: new Map([['', entry]]),
      algorithms: ['HS256'],
      jwksJson: '{"keys":[]}',
      sessionKey,
      csrfKey,
    };
  }
  const first = config.signingKeys[0];
  if (!first) throw new Error(`no signing key for ${config.algorithm}: set AUTH_SIGNING_KEYS`);
  const signing: VerificationKey = {
    kid: first.kid!,
    alg: first.alg as Algorithm,
    key: (await importJWK(first, first.alg)) as Key,
  };
  const verification = new Map<string, VerificationKey>();
  for (const jwk of config.signingKeys) {
    const alg = jwk.alg as Algorithm;
    verification.set(jwk.kid!, {
      kid: jwk.kid!,
      alg,
      key: (await importJWK(toPublicJwk(jwk), alg)) as Key,
    });
  }
  return {
    signing,
    verification,
    algorithms: [...new Set([...verification.values()].map((k) => k.alg))],
    jwksJson: JSON.stringify({ keys: config.signingKeys.map(toPublicJwk) }),
    sessionKey,
    csrfKey,
  };
}
