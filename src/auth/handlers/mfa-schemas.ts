import { z } from 'zod';
import { passwordText } from '../passwords/text';
import { storableText } from '../identity/text';

// The request bodies of the second-factor and passkey endpoints (docs/contract.md section 9);
// schemas.ts has the others. Codes and tokens are never stored or looked up as sent: a malformed
// one is simply a wrong one. Only what reaches a query as it is (a passkey id, a name) is checked
// for its form here.

const text = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .min(1, `${field} may not be blank`)
    .max(max, `${field} is too long`);

/** A password that confirms a change; optional where a recent re-authentication counts instead. */
const password = passwordText('password').optional();

/** A TOTP code as typed (`123456`, `123 456`); checked by the TOTP rules. */
const code = text('code', 64);

/** A WebAuthn response as @simplewebauthn/browser returns it; checked by @simplewebauthn/server. */
const webauthnResponse = z.record(z.string(), z.unknown(), {
  error: 'response must be the passkey response object',
});

/** A passkey's credential id: base64url, as the list shows it. */
const passkeyId = z
  .string({ error: 'id must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,1364}$/, 'id must be a passkey id');

/** TOTP setup, passkey registration options: the password, unless the session is recent. */
export const confirmWithPasswordBody = z.looseObject({ password });

/** TOTP confirm: the first code from the app. */
export const totpConfirmBody = z.looseObject({ code });

/** TOTP disable, new recovery codes: the password or a current code, unless the session is recent. */
export const confirmWithPasswordOrCodeBody = z.looseObject({ password, code: code.optional() });

/** The second step of sign-in: the token from the first step, and a code or a recovery code. */
export const mfaVerifyBody = z.looseObject({
  mfa_token: text('mfa_token', 512),
  code: code.optional(),
  recovery_code: text('recovery_code', 64).optional(),
});

/** Passkey registration: the browser's response, and a name for the list. */
export const passkeyRegisterBody = z.looseObject({
  response: webauthnResponse,
  name: storableText(
    z.string({ error: 'name must be a string' }).max(100, 'name may have at most 100 characters'),
    'name',
  ).optional(),
});

/** Passkey deletion: which one, and the password unless the session is recent. */
export const passkeyDeleteBody = z.looseObject({ id: passkeyId, password });

/** Passkey sign-in: the browser's response. */
export const passkeySignInBody = z.looseObject({ response: webauthnResponse });

/** Re-authentication: exactly one of the password, a TOTP code or a passkey response. */
export const reauthenticateBody = z.looseObject({
  password,
  code: code.optional(),
  response: webauthnResponse.optional(),
});
