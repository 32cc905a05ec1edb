import { describe, expect, it } from 'vitest';
import { CookieSigner } from '@/auth/cookies/signing';

const SECRET = 'test-secret-0123456789abcdefghijk';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl';

const signer = new CookieSigner(SECRET, 'extra');

describe('CookieSigner', () => {
  it('returns the value it signed', () => {
    expect(signer.unsign('refresh_cookie', signer.sign('refresh_cookie', TOKEN))).toBe(TOKEN);
  });

  it('appends a signature after a colon', () => {
    expect(signer.sign('refresh_cookie', TOKEN)).toMatch(
      new RegExp(`^${TOKEN.replaceAll('.', '\\.')}:[A-Za-z0-9_-]{43}$`),
    );
  });

  it('returns a value that itself contains colons', () => {
    expect(signer.unsign('CSRF_token', signer.sign('CSRF_token', 'a:b:c'))).toBe('a:b:c');
  });

  it('treats a signed empty value as absent', () => {
    expect(signer.unsign('CSRF_token', signer.sign('CSRF_token', ''))).toBeNull();
  });

  it('returns null for a changed value', () => {
    const signed = signer.sign('refresh_cookie', TOKEN);
    expect(
      signer.unsign('refresh_cookie', signed.replace('eyJzdWIiOiI0MiJ9', 'eyJzdWIiOiIxIn0')),
    ).toBeNull();
  });

  it('returns null for a changed signature', () => {
    const signed = signer.sign('refresh_cookie', TOKEN);
    const last = signed.at(-2) === 'A' ? 'B' : 'A';
    expect(
      signer.unsign('refresh_cookie', `${signed.slice(0, -2)}${last}${signed.at(-1)}`),
    ).toBeNull();
  });

  it('returns null for a truncated signature', () => {
    expect(
      signer.unsign('refresh_cookie', signer.sign('refresh_cookie', TOKEN).slice(0, -1)),
    ).toBeNull();
  });

  it('returns null for an unsigned value', () => {
    expect(signer.unsign('refresh_cookie', TOKEN)).toBeNull();
  });

  it.each([
    ['undefined', undefined],
    ['the empty string', ''],
    ['a lone colon', ':'],
    ['a signature without a value', `:${signer.sign('x', 'y').split(':')[1]}`],
  ])('returns null for %s', (_name, signed) => {
    expect(signer.unsign('refresh_cookie', signed)).toBeNull();
  });

  it('returns null for a value over 8 KiB', () => {
    const long = 'a'.repeat(8200);
    expect(signer.unsign('refresh_cookie', signer.sign('refresh_cookie', long))).toBeNull();
  });

  it('does not verify a value signed for another cookie name', () => {
    expect(signer.unsign('refresh_cookie', signer.sign('CSRF_token', TOKEN))).toBeNull();
  });

  it('does not verify a value signed with another secret', () => {
    const other = new CookieSigner(`${SECRET}-other`, 'extra');
    expect(signer.unsign('refresh_cookie', other.sign('refresh_cookie', TOKEN))).toBeNull();
  });

  it('does not verify a value signed with another salt', () => {
    const other = new CookieSigner(SECRET, 'other-salt');
    expect(signer.unsign('refresh_cookie', other.sign('refresh_cookie', TOKEN))).toBeNull();
  });

  it('verifies with a second signer built from the same secret and salt', () => {
    const twin = new CookieSigner(SECRET, 'extra');
    expect(twin.unsign('refresh_cookie', signer.sign('refresh_cookie', TOKEN))).toBe(TOKEN);
  });
});
