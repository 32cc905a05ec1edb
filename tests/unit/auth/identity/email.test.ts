import { describe, expect, it } from 'vitest';
import { canonicalEmail } from '@/auth/identity/email';
import { emailColumns } from '@/auth/identity';

describe('canonicalEmail', () => {
  it('lower-cases the domain and the local part in ASCII only', () => {
    expect(canonicalEmail('Victim@GMAIL.com')).toBe('victim@gmail.com');
    expect(canonicalEmail('First.Last+Tag@Example.COM')).toBe('first.last+tag@example.com');
  });

  it('converts an IDN domain to ASCII, so a lookalike domain stays a different domain', () => {
    // İ (U+0130) folds to i under SQL lower(); IDNA maps it to i + U+0307: another domain.
    expect(canonicalEmail('victim@gmaİl.com')).toBe('victim@xn--gmail-bgd.com');
    expect(canonicalEmail('victim@gmaİl.com')).not.toBe(canonicalEmail('victim@gmail.com'));
    expect(canonicalEmail('a@ß.de')).toBe('a@xn--zca.de');
    expect(canonicalEmail('a@BÜCHER.example')).toBe(canonicalEmail('a@xn--bcher-kva.example'));
  });

  it('never gives a canonical form to a local part with non-ASCII characters', () => {
    expect(canonicalEmail('vict\u0130m@gmail.com')).toBeNull();
    // The Kelvin sign (U+212A) is k under Unicode folding: only the mail server may say so.
    expect(canonicalEmail('\u212Aate@example.com')).toBeNull();
    expect(canonicalEmail('kate@example.com')).toBe('kate@example.com');
    expect(canonicalEmail('a b@example.com')).toBeNull();
  });

  it('refuses empty, malformed and IDNA-invalid addresses', () => {
    for (const address of [
      '',
      'no-at-sign',
      '@example.com',
      'user@',
      'a@exa mple.com',
      'a@\u0000.com',
    ])
      expect(canonicalEmail(address), address).toBeNull();
  });

  it('splits at the last @ (a quoted local part may hold one)', () => {
    expect(canonicalEmail('"a@b"@Example.com')).toBe('"a@b"@example.com');
  });
});

describe('emailColumns', () => {
  it('stores the canonical form next to the address and never verifies an empty one', () => {
    expect(emailColumns('Ada@Example.com', true)).toEqual({
      email: 'Ada@Example.com',
      emailCanonical: 'ada@example.com',
      emailVerified: true,
    });
    expect(emailColumns('', true)).toEqual({
      email: '',
      emailCanonical: null,
      emailVerified: false,
    });
    expect(emailColumns('ünï@example.com', true).emailCanonical).toBeNull();
  });
});
