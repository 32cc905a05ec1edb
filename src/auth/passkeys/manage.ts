import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { consumeChallenge, insertChallenge } from '@/db/queries/challenges';
import { deletePasskey, insertPasskey, listPasskeys } from '@/db/queries/passkeys';
import { isUniqueViolation } from '@/db/errors';
import type { Passkey } from '@/db/schema';
import { log } from '@/log';
import { confirmSensitiveAction, requireLiveSession } from '../accounts/confirm';
import type { ClientInfo } from '../client-info';
import type { AuthContext } from '../context';
import { InvalidRequest, NotFound } from '../errors';
import { emitAuthEvent } from '../events';
import { CHALLENGE_LIFETIME_SECONDS, hashChallenge } from '../mfa/codes';
import type { AccessTokenClaims } from '../tokens/types';
import { requireRelyingParty } from './relying-party';
import { describeRegistrationResponse, registrationOptions, verifyRegistration } from './webauthn';

// A signed-in user's passkeys (docs/contract.md section 9): register, list, delete.

/** A passkey as the list shows it: never its key. */
export interface PasskeyView {
  id: string;
  name: string;
  created: string;
  last_used: string | null;
}

export function passkeyView(passkey: Passkey): PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name,
    created: passkey.createdAt.toISOString(),
    last_used: passkey.lastUsedAt?.toISOString() ?? null,
  };
}

/** The name a passkey gets when the user gives none. */
export const DEFAULT_PASSKEY_NAME = 'Passkey';

/**
 * POST /auth/passkeys/register/options/ (Bearer): the options for the browser's
 * `navigator.credentials.create()` (@simplewebauthn/browser's startRegistration). The challenge
 * is stored (as a hash) for this user, single use, for 5 minutes. Adding a way into the account
 * is confirmed as other sensitive changes are, by the password or a sign-in or re-authentication
 * within `reauthMaxAge`: a stolen access token alone cannot plant a passkey of its own.
 * @throws InvalidRequest (400, `errors.password`); TokenNotValid (401); NotFound (404: no
 * passkeys on this server); Throttled (429).
 */
export async function passkeyRegistrationOptions(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: { password: string | undefined },
  client: ClientInfo,
  now = new Date(),
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = requireRelyingParty(ctx.config);
  const session = await requireLiveSession(ctx, claims, now);
  const { user } = session;
  await confirmSensitiveAction(ctx, { session, password: input.password, client, now });
  const fullName = `${user.firstName} ${user.lastName}`.trim();
  const options = await registrationOptions({
    rp,
    user: { id: user.id, username: user.username, displayName: fullName || user.username },
    existing: await listPasskeys(ctx.db, user.id),
  });
  await insertChallenge(ctx.db, {
    purpose: 'webauthn_register',
    userId: user.id,
    tokenHash: hashChallenge(options.challenge),
    expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_SECONDS * 1000),
    now,
  });
  return options;
}

const notVerified = (detail: string) =>
  new InvalidRequest('The passkey could not be registered.', { response: [detail] });

/**
 * POST /auth/passkeys/register/ (Bearer): `{ response, name? }`, the browser's answer to the
 * options. Its challenge must be one issued to this user and unused (it is used now, whatever
 * follows); the attestation must verify for this relying party with user verification.
 * @throws InvalidRequest (400, `errors.response`); TokenNotValid (401); NotFound (404).
 */
export async function registerPasskey(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: { response: unknown; name: string | undefined },
  client: ClientInfo,
  now = new Date(),
): Promise<PasskeyView> {
  const rp = requireRelyingParty(ctx.config);
  const session = await requireLiveSession(ctx, claims, now);
  const { user } = session;
  const described = describeRegistrationResponse(input.response);
  if (!described) throw notVerified('This is not a passkey registration response.');
  const challenge = await consumeChallenge(ctx.db, {
    purpose: 'webauthn_register',
    tokenHash: hashChallenge(described.challenge),
    userId: user.id,
    now,
  });
  if (!challenge)
    throw notVerified('This registration has expired or was used already. Start again.');
  const result = await verifyRegistration({
    response: input.response,
    expectedChallenge: described.challenge,
    rp,
  });
  if (!result.ok) {
    log(ctx.config, 'info', 'passkey registration refused', {
      userId: user.id,
      reason: result.reason,
    });
    throw notVerified(
      'The passkey could not be verified. Use a passkey that checks it is you (PIN, fingerprint or face).',
    );
  }
  const { credential } = result;
  let passkey: Passkey;
  try {
    passkey = await insertPasskey(ctx.db, {
      id: credential.id,
      userId: user.id,
      publicKey: credential.publicKey,
      counter: credential.counter,
      transports: credential.transports,
      name: input.name?.trim() || DEFAULT_PASSKEY_NAME,
      backedUp: credential.backedUp,
      now,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw notVerified('This passkey is registered already.');
  }
  await emitAuthEvent(ctx.config, {
    type: 'passkey.added',
    userId: user.id,
    sid: session.sid,
    address: client.address,
  });
  return passkeyView(passkey);
}

/**
 * GET /auth/passkeys/ (Bearer): the caller's passkeys, newest first.
 * @throws TokenNotValid (401).
 */
export async function listOwnPasskeys(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  now = new Date(),
): Promise<PasskeyView[]> {
  const { user } = await requireLiveSession(ctx, claims, now);
  return (await listPasskeys(ctx.db, user.id)).map(passkeyView);
}

/**
 * POST /auth/passkeys/delete/ (Bearer): `{ id, password? }` deletes one of the caller's passkeys.
 * Turning a factor off needs the password or a re-authentication within `reauthMaxAge`
 * (docs/contract.md section 9).
 * @throws InvalidRequest (400, `errors.password`); NotFound (404: not one of the caller's);
 * TokenNotValid (401); Throttled (429).
 */
export async function deleteOwnPasskey(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: { id: string; password: string | undefined },
  client: ClientInfo,
  now = new Date(),
): Promise<void> {
  const session = await requireLiveSession(ctx, claims, now);
  await confirmSensitiveAction(ctx, { session, password: input.password, client, now });
  const deleted = await deletePasskey(ctx.db, { id: input.id, userId: session.user.id });
  if (!deleted) throw new NotFound('You have no passkey with this id.');
  await emitAuthEvent(ctx.config, {
    type: 'passkey.removed',
    userId: session.user.id,
    sid: session.sid,
    address: client.address,
  });
}
