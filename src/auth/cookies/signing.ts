import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { deriveKey } from '../tokens/keys';

/**
 * Django's signed-cookie idea (`set_signed_cookie(salt=COOKIE_SALT)`): the value followed by an
 * HMAC-SHA256 of the cookie's name and value, keyed from AUTH_SECRET and the salt. Binding the
 * name means one signed cookie cannot be replayed as another.
 */
export class CookieSigner {
  private readonly key: KeyObject;

  constructor(secret: string, salt: string) {
    this.key = deriveKey(secret, `signed-cookie:${salt}`);
  }

  private mac(name: string, value: string): Buffer {
    return createHmac('sha256', this.key).update(`${name}=${value}`).digest();
  }

  /** Returns `value:signature`. */
  sign(name: string, value: string): string {
    return `${value}:${this.mac(name, value).toString('base64url')}`;
  }

  /** Returns the value if the signature verifies, else null (a bad cookie is treated as absent). */
  unsign(name: string, signed: string | undefined): string | null {
    if (!signed || signed.length > 8192) return null;
    const at = signed.lastIndexOf(':');
    if (at <= 0) return null;
    const value = signed.slice(0, at);
    // Compare the canonical spelling, not decoded bytes: base64url decoding forgives padding,
    // stray characters and unused trailing bits, and a changed cookie must not verify.
    const given = Buffer.from(signed.slice(at + 1));
    const expected = Buffer.from(this.mac(name, value).toString('base64url'));
    // Constant-time comparison: the time taken must not reveal how much of the signature matched.
    return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
  }
}
