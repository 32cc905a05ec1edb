import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { consumeChallenge, insertChallenge } from '@/db/queries/challenges';
import { findPasskeyWithUser, recordPasskeyUse } from '@/db/queries/passkeys';
import type { Passkey, User } from '@/db/schema';
import type { ClientInfo } from '../client-info';
import type { AuthContext } from '../context';
import { deviceAfterSignIn, type KnownDevice } from '../cookies/device';
import { AuthenticationFailed, Throttled } from '../errors';
import { emitAuthEvent } from '../events';
import { AMR } from '../mfa/amr';
import { CHALLENGE_LIFETIME_SECONDS, hashChallenge } from '../mfa/codes';
import type { IssuedTokens } from '../sessions/issue';
import { refuseUnprovenAddress } from '../services/sign-in';
import { openSession } from '../sessions/open';
import { checkAnonymousCeiling } from '../throttle/accounts';
import { count } from '../throttle/sign-in';
import { requireRelyingParty } from './relying-party';
import {
  authenticationOptions,
  describeAuthenticationResponse,
  verifyAuthentication,
} from './webauthn';

// Sign-in with a passkey (docs/contract.md section 9): discoverable credentials, so no username
// is typed; the credential the browser picks names the user. User verification is required, so
// this is a multi-factor sign-in on its own (`amr: ["hwk", "user"]`).

/**
 * Counts one passkey sign-in from the client's address, under the sign-in endpoints' address
 * rule, when the options are asked for: every sign-in needs fresh options (each challenge works
 * once), so this bounds the sign-ins and the challenge rows a client can make. There is no
 * account to count against before the response is checked, and a signature cannot be guessed.
 * Without a client address, the options of all clients count against a ceiling of their own
 * (checkAnonymousCeiling), so the challenge rows cannot grow without bound.
 * @throws Throttled (429).
 */
async function countAddress(ctx: AuthContext, client: ClientInfo, now: Date): Promise<void> {
  const { throttle } = ctx.config;
  if (!throttle) return;
  try {
    if (client.address) await count(ctx.db, 'address', client.address, throttle.address, now);
    else await checkAnonymousCeiling(ctx.db, ctx.config, 'passkey-options', now);
  } catch (error) {
    if (error instanceof Throttled)
      await emitAuthEvent(ctx.config, {
        type: 'sign_in.throttled',
        userId: null,
        sid: null,
        address: client.address,
      });
    throw error;
  }
}

/**
 * POST /auth/passkeys/sign-in/options/: the options for `navigator.credentials.get()`
 * (@simplewebauthn/browser's startAuthentication, with or without conditional UI): no
 * allowCredentials, user verification required. The challenge is stored (as a hash), single
 * use, for 5 minutes; it serves a re-authentication with a passkey as well.
 * @throws NotFound (404: no passkeys on this server); Throttled (429).
 */
export async function passkeySignInOptions(
  ctx: AuthContext,
  client: ClientInfo,
  now = new Date(),
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rp = requireRelyingParty(ctx.config);
  await countAddress(ctx, client, now);
  const options = await authenticationOptions(rp);
  await insertChallenge(ctx.db, {
    purpose: 'webauthn_sign_in',
    userId: null,
    tokenHash: hashChallenge(options.challenge),
    expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_SECONDS * 1000),
    now,
  });
  return options;
}

/** How a passkey response was checked: its passkey and user, or why not (for the log and events). */
export type PasskeyCheck =
  | { ok: true; passkey: Passkey; user: User }
  | {
      ok: false;
      reason: 'malformed' | 'challenge' | 'unknown_credential' | 'invalid' | 'counter';
      userId: number | null;
    };

/**
 * Checks a passkey response against a sign-in challenge: the challenge (used now, whatever
 * follows), the credential (found by the id the response names; a user handle in it must be its
 * owner's), the signature with user verification for this relying party, and the counter, which
 * is stored in one conditional update so a response cannot be used twice. Never throws for bad
 * input.
 */
export async function checkPasskeyResponse(
  ctx: AuthContext,
  response: unknown,
  now: Date,
): Promise<PasskeyCheck> {
  const rp = requireRelyingParty(ctx.config);
  const described = describeAuthenticationResponse(response);
  if (!described) return { ok: false, reason: 'malformed', userId: null };
  const challenge = await consumeChallenge(ctx.db, {
    purpose: 'webauthn_sign_in',
    tokenHash: hashChallenge(described.challenge),
    now,
  });
  if (!challenge) return { ok: false, reason: 'challenge', userId: null };
  const found = await findPasskeyWithUser(ctx.db, described.credentialId);
  if (!found) return { ok: false, reason: 'unknown_credential', userId: null };
  const { passkey, user } = found;
  const result = await verifyAuthentication({
    response,
    expectedChallenge: described.challenge,
    rp,
    credential: passkey,
    userId: user.id,
  });
  if (!result.ok) return { ok: false, reason: result.reason, userId: user.id };
  const recorded = await recordPasskeyUse(ctx.db, {
    id: passkey.id,
    counter: result.newCounter,
    backedUp: result.backedUp,
    now,
  });
  if (!recorded) return { ok: false, reason: 'counter', userId: user.id };
  return { ok: true, passkey, user };
}

/** A passkey sign-in: the session, and the device entry to remember in the browser. */
export interface PasskeySignedIn extends IssuedTokens {
  device: KnownDevice;
}

/**
 * POST /auth/passkeys/sign-in/: `{ response }` signs the passkey's user in, answered exactly as
 * sign-in, with `amr: ["hwk", "user"]`. Every refusal is the same 401 (the reason goes to the
 * `sign_in.failure` event, never to the client); an inactive user is that 401 too, and an
 * unproven address 403 `email_not_verified`, through the rule password sign-in applies.
 * @throws AuthenticationFailed (401); EmailNotVerified (403); NotFound (404); Throttled (429).
 */
export async function passkeySignIn(
  ctx: AuthContext,
  input: { response: unknown; devices?: readonly KnownDevice[] },
  client: ClientInfo,
  now = new Date(),
): Promise<PasskeySignedIn> {
  const check = await checkPasskeyResponse(ctx, input.response, now);
  if (!check.ok || !check.user.isActive) {
    await emitAuthEvent(ctx.config, {
      type: 'sign_in.failure',
      userId: check.ok ? check.user.id : check.userId,
      sid: null,
      address: client.address,
      reason: check.ok ? 'inactive' : `passkey_${check.reason}`,
    });
    throw new AuthenticationFailed(
      'The passkey could not be verified. Try again, or sign in another way.',
    );
  }
  const { user } = check;
  // The same rule as a right password (a passkey of an account whose address is not proven yet).
  await refuseUnprovenAddress(ctx, user, { address: client.address });
  const issued = await openSession(ctx, {
    user,
    client,
    amr: AMR.passkey,
    event: 'sign_in.success',
    now,
  });
  const known = input.devices?.find((d) => d.userId === user.id) ?? null;
  return { ...issued, device: deviceAfterSignIn(known, user.id, now) };
}
