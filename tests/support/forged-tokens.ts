/** Tokens the tests build by hand, signed with the kit's own key (for tokens it must refuse). */
import { importJWK, SignJWT, type JWK, type JWTHeaderParameters, type JWTPayload } from 'jose';
import type { KitServer } from './kit-servers';

/** The private signing JWK the kit was started with (tests forge tokens with the real key). */
export function privateSigningKey(kit: Pick<KitServer, 'env'>): JWK {
  const keys = (JSON.parse(kit.env.AUTH_SIGNING_KEYS ?? '{"keys":[]}') as { keys: JWK[] }).keys;
  const key = keys[0];
  if (!key) throw new Error('the kit has no signing key');
  return key;
}

/** Signs arbitrary claims and header with the kit's own private key (for tokens the kit must refuse). */
export async function signWithKitKey(
  kit: Pick<KitServer, 'env'>,
  payload: JWTPayload,
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const jwk = privateSigningKey(kit);
  const key = await importJWK(jwk, jwk.alg);
  return new SignJWT(payload)
    .setProtectedHeader({
      alg: jwk.alg!,
      kid: jwk.kid,
      typ: 'at+jwt',
      ...header,
    } as JWTHeaderParameters)
    .sign(key);
}

/** base64url of a JSON value (for hand-built JWTs). */
export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
