import { z } from 'zod';
import { passwordText } from '../passwords/text';
import { storableText } from '../identity/text';

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
 * PGlite 0.5's encoder), so it is a 400, not a database error. The password is never stored, but
 * one that is not well-formed Unicode or longer than 4096 characters (code points) could never
 * have been set, so it is a 400 naming the field (src/auth/passwords/text.ts) as well.
 */
export const signInBody = z.looseObject({
  username: text('username', 150)
    .regex(/^[^\p{Cc}]+$/u, 'username contains control characters')
    .refine((value) => value.isWellFormed(), 'username is not well-formed text'),
  password: passwordText('password'),
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

// Accounts and e-mail (docs/contract.md section 8). Addresses and names reach the database, so
// they are well-formed text without control characters; passwords are checked by the password
// rules, which say what is wrong in words (the body limit bounds their length before that).

const wellFormed = (field: string, max: number) => storableText(text(field, max), field);

const address = (field: string) =>
  wellFormed(field, 254).pipe(z.email({ error: 'Enter a valid e-mail address.' }));

const name = (field: string) =>
  storableText(
    z
      .string({ error: `${field} must be a string` })
      .max(150, `${field} may have at most 150 characters`),
    field,
  ).optional();

const secret = (field: string) =>
  z.string({ error: `${field} must be a string` }).min(1, `${field} may not be blank`);

/** A mailed link's token (base64url, 43 characters as the kit makes them). */
const mailedToken = text('token', 512);

/** The sign-up request. */
export const signUpBody = z.looseObject({
  username: wellFormed('username', 150),
  email: address('email'),
  password: secret('password'),
  first_name: name('first_name'),
  last_name: name('last_name'),
});

/** A request that names an address: resend a verification link, ask for a password reset. */
export const emailBody = z.looseObject({ email: address('email') });

/** The verification (or e-mail change) link's token. */
export const mailedTokenBody = z.looseObject({ token: mailedToken });

/** The password-reset confirmation. */
export const passwordResetConfirmBody = z.looseObject({
  token: mailedToken,
  password: secret('password'),
});

/** The password change. */
export const passwordChangeBody = z.looseObject({
  current_password: passwordText('current_password'),
  new_password: secret('new_password'),
});

/** The e-mail change: the password, unless the session signed in within reauthMaxAge. */
export const emailChangeBody = z.looseObject({
  new_email: address('new_email'),
  password: passwordText('password').optional(),
});

/** The account deletion: the password, unless the session signed in within reauthMaxAge. */
export const accountDeleteBody = z.looseObject({ password: passwordText('password').optional() });
