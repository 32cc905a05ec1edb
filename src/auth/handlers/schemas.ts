import { z } from 'zod';

/** The CSRF token as refresh and log-off accept it in the body (it may come in X-CSRF-Token instead). */
export const csrfBody = z.looseObject({
  CSRF_token: z.string().max(512, 'CSRF_token is too long').optional(),
});

const text = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .min(1, `${field} may not be blank`)
    .max(max, `${field} is too long`);

/**
 * The sign-in request. The username reaches the database (lookup, throttling), so it must be
 * well-formed text without control characters: a lone surrogate cannot be stored (and trips
 * PGlite 0.5's encoder), so it is a 400, not a database error. Tokens and passwords are never
 * stored: a malformed one is simply refused (401).
 */
export const signInBody = z.looseObject({
  username: text('username', 150)
    .regex(/^[^\p{Cc}]+$/u, 'username contains control characters')
    .refine((value) => value.isWellFormed(), 'username is not well-formed text'),
  password: text('password', 4096),
});

/** The verify request. */
export const verifyBody = z.looseObject({ token: text('token', 8192) });

/** The session-revoke request. */
export const revokeBody = z.looseObject({ sid: z.uuid('sid must be a session id') });

/** The social-exchange request, as Cognito's token endpoint returns it (refresh_token and the rest ignored). */
export const socialExchangeBody = z.looseObject({
  id_token: text('id_token', 16_384),
  access_token: text('access_token', 16_384),
});

/** An endpoint that takes no body: an empty JSON object (or nothing) only. */
export const emptyBody = z.looseObject({});
