import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, withinPasswordLength } from './encoding';

/**
 * A password field as sign-in, re-authentication and the confirmations take it: non-blank,
 * well-formed Unicode (a lone surrogate cannot be hashed as typed: every encoder turns it into
 * U+FFFD) and at most MAX_PASSWORD_LENGTH characters, counted in code points as the password rules
 * count them. Each refusal is a 400 naming the field. Sign-up, reset and change take any string and
 * let the password rules say what is wrong (`errors.password`).
 */
export const passwordText = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .min(1, `${field} may not be blank`)
    // A bound in UTF-16 units first (a code point is at most two), so the checks below stay cheap.
    .max(2 * MAX_PASSWORD_LENGTH, `${field} is too long`)
    .refine(
      (value) => value.isWellFormed(),
      `${field} is not well-formed text (it has an unpaired surrogate)`,
    )
    .refine((value) => withinPasswordLength(value), `${field} is too long`);
