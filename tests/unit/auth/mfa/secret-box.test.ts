import { createDecipheriv, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, TOTP_SECRET_PURPOSE, totpSecretBox } from '@/auth/mfa/secret-box';

const SECRET = 'secret-box-test-secret-0123456789abcdef';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const box = totpSecretBox(SECRET);

/** Flips one bit of a base64url string's decoded bytes and re-encodes it canonically. */
function flipBit(text: string, byte: number): string {
  const bytes = Buffer.from(text, 'base64url');
  bytes[byte]! ^= 0x01;
  return bytes.toString('base64url');
}

describe('SecretBox', () => {
  it('opens what it sealed, for the same associated data', () => {
    expect(box.open(box.seal(TOTP_SECRET, '42'), '42')).toBe(TOTP_SECRET);
  });

  it('writes v1.<96-bit nonce>.<ciphertext and 128-bit tag>, all base64url', () => {
    const sealed = box.seal(TOTP_SECRET, '42');
    const [version, nonce, body] = sealed.split('.');
    expect(sealed.split('.')).toHaveLength(3);
    expect(version).toBe('v1');
    expect(Buffer.from(nonce!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(body!, 'base64url')).toHaveLength(TOTP_SECRET.length + 16);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(TOTP_SECRET);
  });

  it('uses a fresh nonce each time, so the same secret never seals to the same text', () => {
    const sealed = new Set(Array.from({ length: 50 }, () => box.seal(TOTP_SECRET, '42')));
    expect(sealed.size).toBe(50);
    const nonces = new Set([...sealed].map((s) => s.split('.')[1]));
    expect(nonces.size).toBe(50);
  });

  it('is AES-256-GCM keyed by HKDF-SHA256(AUTH_SECRET, info "auth-kit:<purpose>")', () => {
    const [, nonce, body] = box.seal(TOTP_SECRET, '42').split('.');
    const bytes = Buffer.from(body!, 'base64url');
    const key = Buffer.from(
      hkdfSync('sha256', SECRET, Buffer.alloc(0), `auth-kit:${TOTP_SECRET_PURPOSE}`, 32),
    );
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce!, 'base64url'));
    decipher.setAAD(Buffer.from('42'));
    decipher.setAuthTag(bytes.subarray(-16));
    const plain = Buffer.concat([decipher.update(bytes.subarray(0, -16)), decipher.final()]);
    expect(plain.toString()).toBe(TOTP_SECRET);
  });

  it('does not open a value bound to another user (a row copied between users)', () => {
    const sealed = box.seal(TOTP_SECRET, '42');
    expect(box.open(sealed, '43')).toBeNull();
    expect(box.open(sealed, '420')).toBeNull();
    expect(box.open(sealed, '')).toBeNull();
  });

  it('does not open with another AUTH_SECRET or another purpose', () => {
    const sealed = box.seal(TOTP_SECRET, '42');
    expect(totpSecretBox(`${SECRET}x`).open(sealed, '42')).toBeNull();
    expect(new SecretBox(SECRET, 'another-purpose').open(sealed, '42')).toBeNull();
    expect(new SecretBox(SECRET, TOTP_SECRET_PURPOSE).open(sealed, '42')).toBe(TOTP_SECRET);
  });

  it('does not open a changed ciphertext, tag or nonce', () => {
    const [version, nonce, body] = box.seal(TOTP_SECRET, '42').split('.');
    const bodyLength = Buffer.from(body!, 'base64url').length;
    for (const byte of [0, 10, bodyLength - 16, bodyLength - 1])
      expect(box.open(`${version}.${nonce}.${flipBit(body!, byte)}`, '42')).toBeNull();
    for (const byte of [0, 11])
      expect(box.open(`${version}.${flipBit(nonce!, byte)}.${body}`, '42')).toBeNull();
  });

  it('answers null for malformed values instead of throwing', () => {
    const sealed = box.seal(TOTP_SECRET, '42');
    const [, nonce, body] = sealed.split('.');
    const shortNonce = Buffer.alloc(8).toString('base64url');
    const cases: (string | null | undefined)[] = [
      null,
      undefined,
      '',
      'v1',
      'v1..',
      `v2.${nonce}.${body}`,
      `V1.${nonce}.${body}`,
      `v1.${nonce}`,
      `v1.${nonce}.${body}.extra`,
      `v1.${shortNonce}.${body}`,
      `v1.${nonce}.${Buffer.alloc(15).toString('base64url')}`,
      `v1.${nonce}.${body}=`,
      `v1.${nonce}.${body!.slice(0, -1)}+`,
      `v1.${nonce}.${body} `,
      `v1.${nonce}.${body}${'A'.repeat(5000)}`,
      TOTP_SECRET,
    ];
    for (const value of cases) expect(box.open(value, '42')).toBeNull();
  });

  it('refuses a non-canonical base64url spelling of the same bytes', () => {
    // 33 characters seal to 49 bytes: 66 base64url characters whose last one has 4 unused bits,
    // so its sibling spelling decodes (leniently) to the very same bytes.
    const text = 'x'.repeat(33);
    const [version, nonce, body] = box.seal(text, '42').split('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(body!.at(-1)!) ^ 1]!;
    const changed = `${body!.slice(0, -1)}${sibling}`;
    expect(Buffer.from(changed, 'base64url').equals(Buffer.from(body!, 'base64url'))).toBe(true);
    expect(box.open(`${version}.${nonce}.${body}`, '42')).toBe(text);
    expect(box.open(`${version}.${nonce}.${changed}`, '42')).toBeNull();
  });

  it('seals and opens any text, including non-ASCII and empty', () => {
    for (const text of ['', 'é', '秘密', 'a'.repeat(1000)])
      expect(box.open(box.seal(text, 'user:7'), 'user:7')).toBe(text);
  });
});
