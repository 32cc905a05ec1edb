import {
  confirmTotpFactor,
  deleteTotpFactor,
  findTotpFactor,
  replaceRecoveryCodes,
  startTotpSetup,
  useTotpStep,
} from '@/db/queries/mfa';
import type { LiveSession } from '@/db/queries/current-user';
import { confirmSensitiveAction, requireLiveSession } from '../accounts/confirm';
import type { ClientInfo } from '../client-info';
import type { AuthConfig } from '../config/types';
import type { AuthContext } from '../context';
import { InvalidRequest } from '../errors';
import { emitAuthEvent } from '../events';
import type { AccessTokenClaims } from '../tokens/types';
import { confirmCode, matchTotpCode, sealTotpSecret } from './codes';
import { qrSvg } from './qr';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes';
import { generateTotpSecret, otpauthUri } from './totp';

// The TOTP factor of a signed-in user (docs/contract.md section 9): set up, confirm (which turns it
// on and hands out the recovery codes once), turn off, and new recovery codes.

/** What an authenticator app shows as the account's issuer: the app's host name. */
export function totpIssuer(config: Pick<AuthConfig, 'appUrl'>): string {
  return config.appUrl ? new URL(config.appUrl).hostname : 'Auth kit';
}

/** New recovery codes: the codes to show once, and the hashes to store. */
function newRecoveryCodes(userId: number): { codes: string[]; hashes: string[] } {
  const codes = generateRecoveryCodes();
  return { codes, hashes: codes.map((code) => hashRecoveryCode(userId, code)!) };
}

const notOn = () =>
  new InvalidRequest('Two-factor authentication is not on for this account.', {
    code: ['Turn on two-factor authentication first.'],
  });

/** What setup answers: the secret to type, the URI to scan, and its QR code. */
export interface TotpSetup {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

/**
 * POST /auth/mfa/totp/setup/ (Bearer): with the password, or within `reauthMaxAge` of a sign-in
 * or re-authentication, a new secret, stored sealed and pending until a code confirms it. Setting
 * up again before confirming replaces the pending secret; a confirmed factor is never replaced
 * (turn it off first).
 * @throws InvalidRequest (400: `errors.password`, or TOTP already on); TokenNotValid (401);
 * Throttled (429).
 */
export async function setupTotp(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: { password: string | undefined },
  client: ClientInfo,
  now = new Date(),
): Promise<TotpSetup> {
  const session = await requireLiveSession(ctx, claims, now);
  const { user } = session;
  const alreadyOn = () =>
    new InvalidRequest('Two-factor authentication is already on for this account.', {
      code: ['Turn it off first to move it to another authenticator app.'],
    });
  if ((await findTotpFactor(ctx.db, user.id))?.confirmedAt) throw alreadyOn();
  await confirmSensitiveAction(ctx, { session, password: input.password, client, now });
  const secret = generateTotpSecret();
  const stored = await startTotpSetup(ctx.db, {
    userId: user.id,
    secretEnc: sealTotpSecret(ctx.config, user.id, secret),
    now,
  });
  if (!stored) throw alreadyOn();
  const uri = otpauthUri({ issuer: totpIssuer(ctx.config), accountName: user.username, secret });
  return { secret, otpauthUri: uri, qrSvg: qrSvg(uri) };
}

/**
 * POST /auth/mfa/totp/confirm/ (Bearer): the first code from the app turns the pending factor on
 * (its step is used: it cannot sign in again) and answers ten recovery codes, the only time they
 * are shown; only their hashes are stored.
 * @throws InvalidRequest (400: `errors.code`, or no setup pending); TokenNotValid (401); Throttled (429).
 */
export async function confirmTotp(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: { code: string },
  client: ClientInfo,
  now = new Date(),
): Promise<{ recoveryCodes: string[] }> {
  const session = await requireLiveSession(ctx, claims, now);
  const { user } = session;
  const factor = await findTotpFactor(ctx.db, user.id);
  if (!factor)
    throw new InvalidRequest('There is no authenticator app to confirm.', {
      code: ['Start the setup first.'],
    });
  if (factor.confirmedAt)
    throw new InvalidRequest('Two-factor authentication is already on for this account.', {
      code: ['It is confirmed already.'],
    });
  const recovery = newRecoveryCodes(user.id);
  await confirmCode(ctx, { session, client, now, purpose: 'confirm' }, async () => {
    const step = matchTotpCode(ctx.config, factor, input.code, now);
    return (
      step !== null &&
      confirmTotpFactor(ctx.db, {
        userId: user.id,
        secretEnc: factor.secretEnc,
        step,
        now,
        codeHashes: recovery.hashes,
      })
    );
  });
  await emitAuthEvent(ctx.config, {
    type: 'mfa.enabled',
    userId: user.id,
    sid: session.sid,
    address: client.address,
  });
  return { recoveryCodes: recovery.codes };
}

/**
 * Proves the caller may change their second factors: a current TOTP code (used up), the
 * password, or a sign-in or re-authentication within `reauthMaxAge` (docs/contract.md section 9:
 * turning a factor off requires one of them).
 * @throws InvalidRequest (400: `errors.code`, `errors.password`); Throttled (429).
 */
async function confirmFactorChange(
  ctx: AuthContext,
  input: {
    session: LiveSession;
    password: string | undefined;
    code: string | undefined;
    client: ClientInfo;
    now: Date;
    purpose: string;
  },
): Promise<void> {
  const { session, client, now } = input;
  if (input.code === undefined || input.password !== undefined) {
    await confirmSensitiveAction(ctx, { session, password: input.password, client, now });
    return;
  }
  const code = input.code;
  await confirmCode(ctx, { session, client, now, purpose: input.purpose }, async () => {
    const factor = await findTotpFactor(ctx.db, session.user.id);
    const step = factor?.confirmedAt ? matchTotpCode(ctx.config, factor, code, now) : null;
    return step !== null && useTotpStep(ctx.db, { userId: session.user.id, step });
  });
}

/**
 * POST /auth/mfa/totp/disable/ (Bearer): `{ password }` or `{ code }` (a current code, not one
 * used before), or nothing within `reauthMaxAge` of a sign-in or re-authentication; then the
 * factor and every recovery code are deleted in one transaction.
 * @throws InvalidRequest (400: not on, `errors.password`, `errors.code`); TokenNotValid (401);
 * Throttled (429).
 */
export async function disableTotp(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: { password: string | undefined; code: string | undefined },
  client: ClientInfo,
  now = new Date(),
): Promise<void> {
  const session = await requireLiveSession(ctx, claims, now);
  const { user } = session;
  if (!(await findTotpFactor(ctx.db, user.id))?.confirmedAt) throw notOn();
  await confirmFactorChange(ctx, { ...input, session, client, now, purpose: 'disable' });
  if (!(await deleteTotpFactor(ctx.db, user.id))) throw notOn();
  await emitAuthEvent(ctx.config, {
    type: 'mfa.disabled',
    userId: user.id,
    sid: session.sid,
    address: client.address,
  });
}

/**
 * POST /auth/mfa/recovery-codes/regenerate/ (Bearer): ten new recovery codes, shown once; the
 * old ones stop working. Confirmed as turning a factor off is (a code, the password, or a recent
 * re-authentication): the codes are a way into the account.
 * @throws InvalidRequest (400: TOTP not on, `errors.password`, `errors.code`); TokenNotValid (401);
 * Throttled (429).
 */
export async function regenerateRecoveryCodes(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: { password: string | undefined; code: string | undefined },
  client: ClientInfo,
  now = new Date(),
): Promise<{ recoveryCodes: string[] }> {
  const session = await requireLiveSession(ctx, claims, now);
  const { user } = session;
  if (!(await findTotpFactor(ctx.db, user.id))?.confirmedAt) throw notOn();
  await confirmFactorChange(ctx, { ...input, session, client, now, purpose: 'recovery_codes' });
  const recovery = newRecoveryCodes(user.id);
  await ctx.db.transaction(async (tx) => {
    // Checked again under the factor's row lock: a disable running meanwhile leaves no codes behind.
    if (!(await findTotpFactor(tx, user.id, { lock: true }))?.confirmedAt) throw notOn();
    await replaceRecoveryCodes(tx, { userId: user.id, codeHashes: recovery.hashes, now });
  });
  await emitAuthEvent(ctx.config, {
    type: 'mfa.recovery_codes_regenerated',
    userId: user.id,
    sid: session.sid,
    address: client.address,
  });
  return { recoveryCodes: recovery.codes };
}
