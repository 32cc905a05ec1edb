import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A public RS256 JWK; a type alias (not an interface) so it fits aws-jwt-verify's `Jwks`. */
export type PublicJwk = { kty: 'RSA'; n: string; e: string; kid: string; alg: 'RS256'; use: 'sig' };

/** A public JSON Web Key Set as served at `/.well-known/jwks.json`. */
export type PublicJwks = { keys: PublicJwk[] };

/** An RS256 signing key with its public half in JWKS form. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
}

/** Wraps an RSA private key, using its RFC 7638 thumbprint as the `kid`. */
export function signingKeyFromPrivate(privateKey: KeyObject): SigningKey {
  const { kty, n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (kty !== 'RSA' || !n || !e) throw new Error('The local IdP signing key must be an RSA key');
  const kid = createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
  return { kid, privateKey, publicJwk: { kty, n, e, kid, alg: 'RS256', use: 'sig' } };
}

/** Generates a fresh in-memory 2048-bit RS256 signing key. */
export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signingKeyFromPrivate(privateKey);
}

/** Builds the public JWKS for a list of signing keys. */
export function publicJwks(keys: readonly SigningKey[]): PublicJwks {
  return { keys: keys.map((key) => ({ ...key.publicJwk })) };
}

/** Loads the signing key stored in `file`, creating it (mode 0600) on first use so restarts keep the kid. */
export async function loadOrCreateSigningKey(file: string): Promise<SigningKey> {
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    try {
      const { privateJwk } = JSON.parse(text) as { privateJwk: JsonWebKey };
      return signingKeyFromPrivate(createPrivateKey({ key: privateJwk, format: 'jwk' }));
    } catch {
      throw new Error(
        `Cannot read the local IdP key file ${file}; delete it to generate a new key`,
      );
    }
  }
  const key = generateSigningKey();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const privateJwk = key.privateKey.export({ format: 'jwk' });
  await writeFile(file, `${JSON.stringify({ privateJwk })}\n`, { mode: 0o600 });
  return key;
}
