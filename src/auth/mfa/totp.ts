import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';

/**
 * TOTP (RFC 6238) as every authenticator app implements it: HMAC-SHA-1, 6 digits, 30-second
 * steps. The algorithm, the code and the comparison are otplib's (constant-time); the kit adds
 * only its rules: which codes it reads, the ±1 step of clock drift, and one use per step.
 */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps accepted on either side of the current one (clock drift between phone and server). */
export const TOTP_WINDOW_STEPS = 1;
/** 20 random bytes: the RFC 4226 recommendation, 32 base32 characters. */
const SECRET_BYTES = 20;

const BASE32_SECRET = /^[A-Z2-7]{16,128}$/;

/** A new TOTP secret: 160 bits from a CSPRNG, base32 (what authenticator apps expect). */
export function generateTotpSecret(): string {
  return generateSecret({ length: SECRET_BYTES });
}

/**
 * The `otpauth://totp/...` URI an authenticator app scans (Google's Key URI Format), with the
 * issuer both in the label and as the `issuer` parameter. A colon separates issuer and account
 * in the label, so an issuer may not contain one (a configuration error: this throws) and one in
 * the account name becomes `_` (the label is only what the app displays).
 */
export function otpauthUri({
  issuer,
  accountName,
  secret,
}: {
  issuer: string;
  accountName: string;
  secret: string;
}): string {
  if (!issuer.trim() || issuer.includes(':'))
    throw new Error(
      `The TOTP issuer must be a non-empty name without a colon, got ${JSON.stringify(issuer)}`,
    );
  return generateURI({
    issuer,
    label: accountName.replaceAll(':', '_'),
    secret,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

/**
 * The code as typed, reduced to its digits: NFKC (full-width digits become ASCII), white space
 * removed (apps show `123 456`). Null unless exactly six ASCII digits remain.
 */
export function normaliseTotpCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const code = input.normalize('NFKC').replace(/\s+/g, '');
  return /^[0-9]{6}$/.test(code) ? code : null;
}

/** The RFC 6238 time step `now` falls in: floor(unix seconds / 30). */
export function totpStep(now: Date): number {
  return Math.floor(Math.floor(now.getTime() / 1000) / TOTP_PERIOD_SECONDS);
}

/** The code of `secret` at `at` (tests, the benchmark and the CLI compute codes with it). */
export function totpCode(secret: string, at: Date): string {
  return generateSync({
    secret: checkedSecret(secret),
    epoch: Math.floor(at.getTime() / 1000),
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

export type TotpCheck = { ok: true; step: number } | { ok: false };

/**
 * Checks a code typed by the user against `secret` at `now`, accepting the current step and one
 * on either side. `lastUsedStep` is the step of the last code accepted for this factor: a code of
 * that step or an earlier one is refused, so a code seen over a shoulder or in a log cannot be
 * used again within its window. On success the caller stores `step` as the new `lastUsedStep`
 * (atomically, e.g. `UPDATE ... WHERE last_used_step IS NULL OR last_used_step < step`, so two
 * requests racing with one code cannot both win).
 *
 * A malformed code is `{ ok: false }`, never an exception; a secret that is not base32 is a bug in
 * the caller (it comes from the kit's own storage) and throws.
 */
export function checkTotp(
  code: unknown,
  secret: string,
  now: Date,
  lastUsedStep: number | null,
): TotpCheck {
  const token = normaliseTotpCode(code);
  const validSecret = checkedSecret(secret);
  if (token === null) return { ok: false };
  if (lastUsedStep !== null && !Number.isSafeInteger(lastUsedStep))
    throw new TypeError(`lastUsedStep must be an integer or null, got ${lastUsedStep}`);
  // Every step of the window is at or before the last one used: nothing can match (and otplib
  // refuses an `afterTimeStep` beyond its window with an exception, so decide here).
  if (lastUsedStep !== null && lastUsedStep >= totpStep(now) + TOTP_WINDOW_STEPS)
    return { ok: false };
  const result = verifySync({
    secret: validSecret,
    token,
    epoch: Math.floor(now.getTime() / 1000),
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    epochTolerance: TOTP_WINDOW_STEPS * TOTP_PERIOD_SECONDS,
    // Steps ≤ afterTimeStep are skipped; a negative last step (never written by the kit) or null
    // means no code was used yet.
    afterTimeStep: lastUsedStep !== null && lastUsedStep >= 0 ? lastUsedStep : undefined,
  });
  // The functional API types TOTP and HOTP results as one union; only TOTP's has `timeStep`.
  return result.valid && 'timeStep' in result ? { ok: true, step: result.timeStep } : { ok: false };
}

function checkedSecret(secret: string): string {
  if (!BASE32_SECRET.test(secret))
    throw new Error('A TOTP secret must be unpadded upper-case base32');
  return secret;
}
