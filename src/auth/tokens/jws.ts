import { createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { base64url } from 'jose';
import type { Algorithm } from '../config/types';

/**
 * The kit's own compact JWS (RFC 7515), signed and verified synchronously with node:crypto.
 *
 * Why not jose's SignJWT and jwtVerify, which the kit used before: on Node they go through
 * WebCrypto, and every `crypto.subtle` call is a job handed to libuv's thread pool and back. A
 * refresh signs three tokens and verifies one, so the hops, not the maths, were most of its token
 * cost (tests/bench/README.md has the figures). node:crypto does the same maths on the calling
 * thread. jose stays for everything else: key import, the JWKS, the IdP's tokens, and the
 * unusual base64url below, so that what a token may look like is decided by one library.
 *
 * The bytes are jose's: the header and the claims are `JSON.stringify`'d in the order given and
 * base64url-encoded without padding, and ES256 signatures are JOSE's fixed-size r||s (RFC 7518
 * section 3.4, node's `ieee-p1363`), not DER. A token from either side verifies on the other
 * (tests/unit/auth/tokens/jws.test.ts).
 */

/** The key a JWS is signed or verified with, and the one algorithm it is for. */
export interface JwsKey {
  alg: Algorithm;
  key: KeyObject;
}

function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signatureOf({ alg, key }: JwsKey, input: Buffer): Buffer {
  switch (alg) {
    case 'HS256':
      return createHmac('sha256', key).update(input).digest();
    case 'ES256':
      return sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });
    case 'RS256':
      return sign('sha256', input, key);
    case 'EdDSA':
      return sign(null, input, key);
  }
}

function signatureMatches({ alg, key }: JwsKey, input: Buffer, signature: Uint8Array): boolean {
  switch (alg) {
    case 'HS256': {
      const expected = createHmac('sha256', key).update(input).digest();
      return signature.length === expected.length && timingSafeEqual(expected, signature);
    }
    case 'ES256':
      return verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'RS256':
      return verify('sha256', input, key, signature);
    case 'EdDSA':
      return verify(null, input, key, signature);
  }
}

/**
 * Signs `payload` under `header` (which names `alg` itself) as a compact JWS.
 * @throws TypeError when `iat`, `nbf` or `exp` is a number but not finite (JSON would write null).
 */
export function signJws(
  signer: JwsKey,
  header: { alg: Algorithm } & Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  for (const claim of ['iat', 'nbf', 'exp'])
    if (typeof payload[claim] === 'number' && !Number.isFinite(payload[claim]))
      throw new TypeError(`"${claim}" claim must be a finite number`);
  const input = `${encodeJson(header)}.${encodeJson(payload)}`;
  return `${input}.${signatureOf(signer, Buffer.from(input)).toString('base64url')}`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const UNPADDED_BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * jose's base64url decoding, with a fast path: unpadded base64url (RFC 7515 section 2, what the kit
 * and jose write) decodes to the same bytes with Buffer, ten times faster. Anything else (padding,
 * whitespace, a stray character, an impossible length) is left to jose, whose rules decide.
 * @throws TypeError when jose refuses the segment.
 */
function decodeBase64url(segment: string): Uint8Array {
  if (segment.length % 4 !== 1 && UNPADDED_BASE64URL.test(segment))
    return Buffer.from(segment, 'base64url');
  return base64url.decode(segment);
}

/** base64url, then strict UTF-8, then JSON, as jose reads a header or a claims set; null unless an object. */
function decodeJsonObject(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(decodeBase64url(segment)));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * A `crit` header is allowed only as jose allows it: naming `b64` alone (the one extension jose
 * knows), with `b64: true`; `b64: false` (an unencoded payload) is no JWT (RFC 7797 section 7).
 */
function critAllowed(header: Record<string, unknown>): boolean {
  if (header.crit === undefined) return true;
  return (
    Array.isArray(header.crit) &&
    header.crit.length > 0 &&
    header.crit.every((name) => name === 'b64') &&
    header.b64 === true
  );
}

function signatureVerifies(key: JwsKey, signedPart: string, encodedSignature: string): boolean {
  try {
    return signatureMatches(key, Buffer.from(signedPart), decodeBase64url(encodedSignature));
  } catch {
    return false; // not base64url, or a signature node:crypto cannot even parse
  }
}

/**
 * Verifies a compact JWS whose payload is a JWT claims set: the header must be a JSON object whose
 * `alg` is one of `algorithms`, `keyFor` must pick a key for that header, pinned to that same
 * algorithm, the signature must match, and the payload must be a JSON object. Returns the header
 * and the claims, or null for any failure: whichever check refused it, such a token is not the
 * kit's. The claims' meaning (times, issuer, types) is the caller's.
 */
export function verifyJws(
  token: string,
  algorithms: readonly Algorithm[],
  keyFor: (header: Record<string, unknown>) => JwsKey | null,
): { header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = token.split('.');
  const header = decodeJsonObject(encodedHeader);
  if (!header || !critAllowed(header)) return null;
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg as Algorithm)) return null;
  const key = keyFor(header);
  if (!key || key.alg !== header.alg) return null;
  if (!signatureVerifies(key, `${encodedHeader}.${encodedPayload}`, encodedSignature)) return null;
  const claims = decodeJsonObject(encodedPayload);
  return claims && { header, claims };
}
