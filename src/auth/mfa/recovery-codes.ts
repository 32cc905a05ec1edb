import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * Recovery codes: the way back in when the authenticator app is lost. Each is shown once, when
 * TOTP is confirmed (or the codes are regenerated), works once, and only its hash is stored.
 *
 * Format: 12 characters of Crockford's base32 (`0-9a-z` without `i`, `l`, `o`, `u`), grouped as
 * `xxxx-xxxx-xxxx`: 60 bits from the CSPRNG (node:crypto randomInt, uniform). Reading back is
 * forgiving the way Crockford specifies: any case, spaces and dashes ignored, `o` read as `0`,
 * `i` and `l` as `1`, so what a person copies from paper still works.
 */
export const RECOVERY_CODE_COUNT = 10;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 12;
const GROUP = 4;
/** Everything a person might type between groups: white space and the dashes of any keyboard. */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212\u30fc\uff0d]+/g;
const CANONICAL = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/** Ten new codes, formatted for display (`xxxx-xxxx-xxxx`), all different. */
export function generateRecoveryCodes(count: number = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    let code = '';
    for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    codes.add(code);
  }
  return [...codes].map(formatRecoveryCode);
}

/** `abcd1234wxyz` → `abcd-1234-wxyz`. */
export function formatRecoveryCode(code: string): string {
  const groups = [];
  for (let i = 0; i < code.length; i += GROUP) groups.push(code.slice(i, i + GROUP));
  return groups.join('-');
}

/**
 * A typed code in canonical form (12 lower-case characters of the alphabet), or null when it
 * cannot be one: NFKC (full-width letters), lower case, separators removed, `o`→`0`, `i`/`l`→`1`.
 */
export function normaliseRecoveryCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const code = input
    .normalize('NFKC')
    .toLowerCase()
    .replace(SEPARATORS, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
  return CANONICAL.test(code) ? code : null;
}

/**
 * The stored form of a code: SHA-256 (hex) of the user id and the canonical code, or null when
 * `code` is not a recovery code at all.
 *
 * A fast hash is the right one here, unlike for passwords: a code has 60 bits from a CSPRNG, not
 * a human choice, so there is no dictionary to try and a slow hash would only slow down the
 * server. Putting the user id in the hash means one guess tests one user's codes, never every
 * row of a stolen table at once. It is deliberately not keyed by AUTH_SECRET: recovery codes are
 * what still works when the TOTP secrets became unreadable (a changed AUTH_SECRET).
 */
export function hashRecoveryCode(userId: number, code: unknown): string | null {
  const canonical = normaliseRecoveryCode(code);
  if (canonical === null) return null;
  return createHash('sha256')
    .update(`auth-kit:recovery-code:v1:${userId}:${canonical}`)
    .digest('hex');
}

/**
 * The index in `storedHashes` (the user's unused codes) of the hash `input` matches, or -1.
 * Every stored hash is compared, in constant time, with no early exit, so the time taken does not
 * say which (or whether any) matched. (Looking the hash up in the database instead is fine too:
 * the hash of a 60-bit random code reveals nothing usable through timing.)
 */
export function matchRecoveryCode(
  input: unknown,
  userId: number,
  storedHashes: readonly string[],
): number {
  const hash = hashRecoveryCode(userId, input);
  if (hash === null) return -1;
  const given = Buffer.from(hash, 'hex');
  let found = -1;
  storedHashes.forEach((stored, index) => {
    const expected = Buffer.from(stored, 'hex');
    if (expected.length === given.length && timingSafeEqual(expected, given) && found === -1)
      found = index;
  });
  return found;
}
