/**
 * Authentication method references (RFC 8176 `amr`) as the kit writes them into sessions and
 * access tokens (docs/contract.md sections 4 and 9):
 *
 * | sign-in                       | amr                   |
 * | ----------------------------- | --------------------- |
 * | password                      | `pwd`                 |
 * | password + TOTP code          | `pwd`, `otp`, `mfa`   |
 * | password + recovery code      | `pwd`, `mfa`          |
 * | identity provider (+ TOTP)    | `fed` (`otp`, `mfa`)  |
 * | passkey (user verified)       | `hwk`, `user`         |
 */
export const AMR = {
  password: ['pwd'],
  federated: ['fed'],
  passkey: ['hwk', 'user'],
} as const;

/** What a second step adds to the first factor's methods. */
export function withSecondFactor(
  first: readonly string[],
  factor: 'totp' | 'recovery_code',
): string[] {
  return factor === 'totp' ? [...first, 'otp', 'mfa'] : [...first, 'mfa'];
}

/**
 * Whether a session signed in with more than one factor: a second step (`mfa`), or a passkey
 * with user verification (`hwk` + `user`: the device, and the PIN or biometrics that unlock it).
 * The `{ mfa: true }` step-up check of the server helpers asks this.
 */
export function isMultiFactor(amr: readonly string[]): boolean {
  return amr.includes('mfa') || (amr.includes('hwk') && amr.includes('user'));
}

/**
 * The `amr` values that prove a sign-in checked a credential (RFC 8176: a password, a one-time
 * code, a hardware key, the identity provider). A session opened by a mailed link (`email`)
 * proves only access to the mailbox, which is what a thief of the mailbox has too.
 */
const CREDENTIAL_AMR: ReadonlySet<string> = new Set(['pwd', 'otp', 'hwk', 'fed']);

/**
 * Whether a session's sign-in (or re-authentication) checked a credential, so that its
 * `auth_time` counts as a recent sign-in for step-up: the API's sensitive actions and the server
 * helpers' `maxAge` both ask this.
 */
export function provesCredential(amr: readonly string[]): boolean {
  return amr.some((method) => CREDENTIAL_AMR.has(method));
}

/** Something the user knows (or an IdP vouches for), and something the user has. */
const KNOWLEDGE = ['pwd', 'fed'];
const POSSESSION = ['otp', 'hwk'];

/**
 * A session's methods after a re-authentication with `method` (its `amr`): the union, in order.
 * Re-authenticating never weakens a session (a password after a TOTP sign-in keeps `mfa`), and a
 * second kind of factor proven in the same session makes it multi-factor: a password session
 * re-authenticated with a TOTP code or a passkey gains `mfa`, so step-up can ask for a code
 * without signing the user out.
 */
export function reauthenticatedAmr(
  session: readonly string[],
  method: readonly string[],
): string[] {
  const methods = [...new Set([...session, ...method].filter((m) => m !== 'mfa'))];
  const multiFactor =
    session.includes('mfa') ||
    method.includes('mfa') ||
    (methods.some((m) => KNOWLEDGE.includes(m)) && methods.some((m) => POSSESSION.includes(m)));
  return multiFactor ? [...methods, 'mfa'] : methods;
}
