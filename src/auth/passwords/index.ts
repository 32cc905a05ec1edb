import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ARGON2_PARAMETERS, hashArgon2, verifyArgon2 } from './argon2';
import {
  isPasswordText,
  MAX_ENCODED_LENGTH,
  MAX_PASSWORD_LENGTH,
  UNUSABLE_PASSWORD_PREFIX,
  withinPasswordLength,
  type VerifyResult,
} from './encoding';
import { verifyPbkdf2 } from './pbkdf2';
import { verifyScrypt } from './scrypt';
import { recordVerification } from './timing';

export { ARGON2_PARAMETERS };
export { failureFloorMs, waitOutFailure } from './timing';
export type { VerifyResult };

/** Django's UNUSABLE_PASSWORD_SUFFIX_LENGTH: random characters after the "!" prefix. */
const UNUSABLE_PASSWORD_SUFFIX_LENGTH = 40;

/**
 * Hashes a password with Argon2id at ARGON2_PARAMETERS in Django's `argon2$argon2id$...` format,
 * throwing a TypeError for a non-string, a string that is not well-formed Unicode (a lone
 * surrogate) or a password longer than 4096 characters (code points).
 */
export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== 'string') throw new TypeError('Password must be a string.');
  if (!password.isWellFormed())
    throw new TypeError('Password must be well-formed Unicode (no unpaired surrogate).');
  if (!withinPasswordLength(password)) {
    throw new TypeError(`Password must be at most ${MAX_PASSWORD_LENGTH} characters.`);
  }
  return hashArgon2(password);
}

async function verifyEncoded(password: string, encoded: string): Promise<VerifyResult | null> {
  const algorithm = encoded.split('$', 1)[0];
  switch (algorithm) {
    case 'argon2':
      return verifyArgon2(password, encoded);
    case 'pbkdf2_sha256':
    case 'pbkdf2_sha1': {
      const valid = await verifyPbkdf2(password, encoded);
      return valid === null ? null : { valid, needsRehash: valid };
    }
    case 'scrypt': {
      const valid = await verifyScrypt(password, encoded);
      return valid === null ? null : { valid, needsRehash: valid };
    }
    default:
      // Includes Django's legacy md5/sha1/bcrypt/crypt hashers, which this kit does not accept.
      return null;
  }
}

/**
 * Checks a password against a stored Django-format hash; `needsRehash` is true when the password
 * is right but the hash is not Argon2id at ARGON2_PARAMETERS, so the caller should store a new one.
 */
export async function verifyPassword(
  password: string,
  encoded: string | null | undefined,
): Promise<VerifyResult> {
  // Refused before any hashing: the length and the form say nothing about whether the account
  // exists. A lone surrogate would be hashed as U+FFFD, so it could match another string's hash.
  if (!isPasswordText(password)) {
    return { valid: false, needsRehash: false };
  }
  if (
    typeof encoded === 'string' &&
    isUsablePassword(encoded) &&
    encoded.length <= MAX_ENCODED_LENGTH
  ) {
    try {
      const started = performance.now();
      const result = await verifyEncoded(password, encoded);
      if (result) {
        // Every verification teaches the failure floor what this class of hash costs now.
        recordVerification(encoded, performance.now() - started);
        return result;
      }
    } catch {
      // A crafted or corrupt row must never crash the caller; treat it like a malformed one.
    }
  }
  // No usable or parseable hash: spend the same time as a real verify, as Django's check_password
  // does with make_password(), so response times do not reveal which accounts have a password.
  await verifyAgainstDummyHash(password);
  return { valid: false, needsRehash: false };
}

let dummyHash: Promise<string> | undefined;

function getDummyHash(): Promise<string> {
  // Made once per process at the current parameters, so its cost tracks ARGON2_PARAMETERS; the
  // first caller also pays for creating it. A failure is not cached, so the next call retries.
  dummyHash ??= hashArgon2(randomBytes(32).toString('base64url')).catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  return dummyHash;
}

/**
 * Verifies the password against a fixed throwaway Argon2id hash and discards the answer, so an
 * unknown user or one without a usable password costs the same time as a wrong password.
 */
export async function verifyAgainstDummyHash(password: string): Promise<void> {
  // Same work as a real verify (OWASP Authentication Cheat Sheet: avoid user enumeration by timing).
  const candidate = isPasswordText(password) ? password : '';
  try {
    const encoded = await getDummyHash();
    const started = performance.now();
    await verifyArgon2(candidate, encoded);
    recordVerification(encoded, performance.now() - started);
  } catch {
    // Only the time spent matters here.
  }
}

/**
 * Tells whether a stored value can ever verify: false for null, "" and Django's unusable "!..."
 * values (Django itself calls None and "" usable, but here they mean "no password set").
 */
export function isUsablePassword(encoded: string | null | undefined): boolean {
  return (
    typeof encoded === 'string' && encoded !== '' && !encoded.startsWith(UNUSABLE_PASSWORD_PREFIX)
  );
}

/** Returns Django's unusable-password marker: "!" followed by 40 random URL-safe characters. */
export function makeUnusablePassword(): string {
  // 30 random bytes are exactly 40 base64url characters. The random part keeps a guessable marker
  // out of staff accounts (Django ticket #20079).
  const bytes = (UNUSABLE_PASSWORD_SUFFIX_LENGTH * 3) / 4;
  return UNUSABLE_PASSWORD_PREFIX + randomBytes(bytes).toString('base64url');
}
