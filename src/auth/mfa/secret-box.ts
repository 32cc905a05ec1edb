import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** The purpose label of the key that encrypts TOTP secrets (a new label is a new key). */
export const TOTP_SECRET_PURPOSE = 'totp-secret:v1';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** A sealed value longer than this is not one the kit wrote (a TOTP secret is 32 characters). */
const MAX_SEALED_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Decodes base64url only in its canonical spelling: Buffer.from forgives stray characters and
 * unused trailing bits, and a changed value must never open as if it were the one written.
 */
function decodeCanonical(text: string): Buffer | null {
  if (!BASE64URL.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

/**
 * Encrypts small secrets the kit must read back (a TOTP secret: unlike a password it cannot be
 * hashed, the server needs it to compute codes), so a database dump or backup alone does not give
 * away anyone's second factor.
 *
 * AES-256-GCM with a fresh random 96-bit nonce per value, keyed by HKDF-SHA256 from AUTH_SECRET
 * and a purpose label, so this key is never the key of another mechanism (the cookie and CSRF
 * keys of src/auth/tokens/keys.ts are derived from the same secret for other purposes). The
 * associated data binds a value to where it is stored (the user id for a TOTP secret): a row
 * copied to another user does not open.
 *
 * Output: `v1.<nonce b64url>.<ciphertext and tag b64url>`. The version names the format and the
 * key derivation, so either can change later while old rows stay readable. Changing AUTH_SECRET
 * makes every sealed value unreadable (`open` answers null): the factor must be set up again.
 */
export class SecretBox {
  private readonly key: KeyObject;

  constructor(secret: string, purpose: string) {
    // HKDF (RFC 5869) without a salt: AUTH_SECRET is already a high-entropy key (32+ random characters,
    // checked by the config in production), so extraction needs none; `info` separates the purposes.
    const key = hkdfSync('sha256', secret, Buffer.alloc(0), `auth-kit:${purpose}`, 32);
    this.key = createSecretKey(Buffer.from(key));
  }

  /** Encrypts `plaintext`, bound to `associatedData` (which is authenticated, not stored). */
  seal(plaintext: string, associatedData: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${VERSION}.${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  /**
   * The plaintext, or null when the value is malformed, was changed, was sealed with another key
   * (another AUTH_SECRET or purpose) or for other associated data. Never throws: a bad row is a
   * failed check for the caller, not an exception in a request handler.
   */
  open(sealed: string | null | undefined, associatedData: string): string | null {
    if (typeof sealed !== 'string' || sealed.length > MAX_SEALED_LENGTH) return null;
    const parts = sealed.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return null;
    const nonce = decodeCanonical(parts[1]!);
    const body = decodeCanonical(parts[2]!);
    if (!nonce || nonce.length !== NONCE_BYTES || !body || body.length < TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, nonce, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      const plaintext = Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(), // throws when the tag does not verify
      ]);
      return plaintext.toString('utf8');
    } catch {
      return null;
    }
  }
}

/** The box for TOTP secrets; seal and open them with the user id as associated data. */
export function totpSecretBox(secret: string): SecretBox {
  return new SecretBox(secret, TOTP_SECRET_PURPOSE);
}
