import type { z } from 'zod';

/**
 * Text the database stores and people read (names, usernames, addresses): no control characters
 * (a NUL cannot be stored in PostgreSQL text, and throws a database error, not a 400) and no lone
 * surrogates (not well-formed UTF-16, which PostgreSQL's encoding refuses too). `what` starts the
 * messages ("first_name contains control characters").
 */
export function storableText(schema: z.ZodString, what: string): z.ZodString {
  return schema
    .regex(/^[^\p{Cc}]*$/u, `${what} contains control characters`)
    .refine((value) => value.isWellFormed(), `${what} is not well-formed text`);
}
