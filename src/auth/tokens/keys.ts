import { createHmac, createSecretKey, KeyObject } from 'node:crypto';
import { importJWK, type JWK } from 'jose';
import type { Algorithm, AuthConfig } from '../config/types';
import type { LRUCache } from 'lru-cache';
import { newCheckedTokens, type CheckedJws } from './checked';
import type { JwsKey } from './jws';

/** A verification key and the one algorithm it may be used with (no algorithm confusion). */
export interface VerificationKey extends JwsKey {
  kid: string | null;
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
  sessionKey: KeyObject;
  /** HMAC key that derives a session's CSRF token from its `sid` (derived from AUTH_SECRET). */
  csrfKey: KeyObject;
  /** The access tokens whose signature under these keys was checked already (checked.ts). */
  checked: LRUCache<string, CheckedJws>;
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

/** node:crypto's name for the key type each algorithm needs. */
const KEY_TYPE = { ES256: 'ec', RS256: 'rsa', EdDSA: 'ed25519' } as const;

/**
 * Imports a JWK with jose (which refuses a key of another curve than `alg` names) as the KeyObject
 * node:crypto signs with, once at start-up. jose checked an RSA key's size only when it was used;
 * it is checked here, so a short key stops the server instead of failing every request.
 */
async function importKey(jwk: JWK, alg: Exclude<Algorithm, 'HS256'>): Promise<KeyObject> {
  const imported = await importJWK(jwk, alg);
  const key = imported instanceof Uint8Array ? null : KeyObject.from(imported);
  if (key?.asymmetricKeyType !== KEY_TYPE[alg])
    throw new Error(`key "${jwk.kid}": ${alg} needs an ${KEY_TYPE[alg].toUpperCase()} key`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (alg === 'RS256' && bits < 2048)
    throw new Error(`key "${jwk.kid}": RS256 needs an RSA key of at least 2048 bits (got ${bits})`);
  return key;
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
  const sessionKey = deriveKey(config.secret, 'session-cookie');
  const csrfKey = deriveKey(config.secret, 'csrf');
  if (config.algorithm === 'HS256') {
    if (!config.hs256Key) throw new Error('no signing key for HS256: set AUTH_HS256_KEY');
    const entry: VerificationKey = {
      kid: null,
      alg: 'HS256',
      key: createSecretKey(Buffer.from(config.hs256Key, 'utf8')),
    };
    return {
      signing: entry,
      verification: new Map([['', entry]]),
      algorithms: ['HS256'],
      jwksJson: '{"keys":[]}',
      sessionKey,
      csrfKey,
      checked: newCheckedTokens(),
    };
  }
  const first = config.signingKeys[0];
  if (!first) throw new Error(`no signing key for ${config.algorithm}: set AUTH_SIGNING_KEYS`);
  const signing: VerificationKey = {
    kid: first.kid!,
    alg: first.alg as Algorithm,
    key: await importKey(first, first.alg as Exclude<Algorithm, 'HS256'>),
  };
  const verification = new Map<string, VerificationKey>();
  for (const jwk of config.signingKeys) {
    const alg = jwk.alg as Exclude<Algorithm, 'HS256'>;
    verification.set(jwk.kid!, {
      kid: jwk.kid!,
      alg,
      key: await importKey(toPublicJwk(jwk), alg),
    });
  }
  return {
    signing,
    verification,
    algorithms: [...new Set([...verification.values()].map((k) => k.alg))],
    jwksJson: JSON.stringify({ keys: config.signingKeys.map(toPublicJwk) }),
    sessionKey,
    csrfKey,
    checked: newCheckedTokens(),
  };
}
