import { timingSafeEqual } from 'node:crypto';

/**
 * Longest password accepted, in characters (Unicode code points, as Django counts them): Django's
 * old MAXIMUM_PASSWORD_LENGTH (4096, CVE-2013-1443) idea, so a megabyte "password" cannot buy a
 * megabyte of key-derivation work.
 */
export const MAX_PASSWORD_LENGTH = 4096;

/**
 * Whether a password is at most `max` characters (code points), without walking a string that is
 * plainly too short or too long: a code point is one or two UTF-16 units.
 */
export function withinPasswordLength(password: string, max = MAX_PASSWORD_LENGTH): boolean {
  if (password.length <= max) return true;
  if (password.length > 2 * max) return false;
  let count = 0;
  for (const _ of password) if (++count > max) return false;
  return true;
}

/**
 * Whether a value can be a password at all: a string of well-formed Unicode (no lone surrogate,
 * which every encoder turns into U+FFFD, so two different strings would hash alike) of at most
 * MAX_PASSWORD_LENGTH characters.
 */
export function isPasswordText(password: unknown): password is string {
  return typeof password === 'string' && password.isWellFormed() && withinPasswordLength(password);
}

/** Longest encoded hash parsed at all; Django stores them in a varchar(128), so 512 is generous. */
export const MAX_ENCODED_LENGTH = 512;

/** Django's UNUSABLE_PASSWORD_PREFIX: a stored value starting with it never verifies. */
export const UNUSABLE_PASSWORD_PREFIX = '!';

/** What verifying a password against a stored hash tells the caller. */
export interface VerifyResult {
  valid: boolean;
  needsRehash: boolean;
}

const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes canonical padded base64 (what Python's `base64.b64encode` writes), or returns null.
 * Non-canonical spellings are refused because Django compares whole encoded strings, so such a
 * value never verified in Django either.
 */
export function decodeBase64(text: string): Buffer | null {
  if (text === '' || !PADDED_BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/**
 * Compares two digests in constant time, like Django's `constant_time_compare`, so the time taken
 * does not reveal how many leading bytes of a guess were right (the lengths are public).
 */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Parses a canonical decimal integer in 1..max (no sign, exponent or leading zero), or null. */
export function parseBoundedInt(text: string, max: number): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
}
