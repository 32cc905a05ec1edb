import { randomBytes } from 'node:crypto';
import type { Database } from '@/db/client';
import { isUniqueViolation } from '@/db/errors';
import {
  findUserByEmail,
  findUserByIdentity,
  isUsernameTaken,
  linkIdentity,
  rememberIdToken,
  touchIdentity,
} from '@/db/queries/identities';
import { insertUser, updateUser } from '@/db/queries/users';
import type { User } from '@/db/schema';
import type { AuthContext } from '../context';
import { AuthError, AuthenticationFailed } from '../errors';
import { emitAuthEvent } from '../events';
import type { IdpIdentity, IdpVerifier } from '../idp/verify';
import { verifyIdpTokens } from '../idp/verify';
import type { IssuedTokens } from './issue';
import { openSession, type ClientInfo } from './sign-in';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** A username for a new user: the IdP's, cleaned to Django's alphabet, made unique if taken. */
async function uniqueUsername(tx: Transaction, wanted: string): Promise<string> {
  const base = wanted.replace(/[^\p{L}\p{N}_.@+-]/gu, '').slice(0, 140) || 'user';
  if (!(await isUsernameTaken(tx, base))) return base;
  for (;;) {
    const candidate = `${base}-${randomBytes(3).toString('hex')}`;
    if (!(await isUsernameTaken(tx, candidate))) return candidate;
  }
}

/**
 * In one transaction: accept the id token once, then find the user linked to (issuer, sub), or
 * link the user with the same verified email, or create one (no usable password). Names follow
 * the IdP on every exchange.
 */
async function findOrCreateUser(tx: Transaction, identity: IdpIdentity, now: Date): Promise<User> {
  if (!(await rememberIdToken(tx, identity.idTokenHash, identity.idTokenExpiresAt)))
    throw new AuthenticationFailed('This identity provider token was already used.');
  let user = await findUserByIdentity(tx, identity.issuer, identity.subject);
  if (user) {
    await touchIdentity(tx, identity.issuer, identity.subject, now);
  } else {
    // Link by email only when the IdP vouches for it: an unverified address could be anyone's.
    user =
      identity.emailVerified && identity.email ? await findUserByEmail(tx, identity.email) : null;
    user ??= await insertUser(tx, {
      username: await uniqueUsername(tx, identity.preferredUsername),
      email: identity.email,
      password: null,
      firstName: identity.givenName,
      lastName: identity.familyName,
    });
    await linkIdentity(tx, {
      provider: identity.issuer,
      subject: identity.subject,
      userId: user.id,
      email: identity.email,
      now,
    });
  }
  const namesChanged =
    (identity.givenName && identity.givenName !== user.firstName) ||
    (identity.familyName && identity.familyName !== user.lastName);
  if (namesChanged)
    user =
      (await updateUser(tx, user.id, {
        firstName: identity.givenName || user.firstName,
        lastName: identity.familyName || user.lastName,
      })) ?? user;
  return user;
}

/**
 * The seed's /auth/social-exchange/: IdP tokens (Cognito, or a generic OIDC provider) for the
 * kit's own tokens, answered exactly as sign-in.
 * @throws AuthenticationFailed (401), EmailNotVerified (403), ServiceUnavailable (503).
 */
export async function socialExchange(
  ctx: AuthContext,
  verifier: IdpVerifier | null,
  tokens: { idToken: string; accessToken: string },
  client: ClientInfo,
  now = new Date(),
): Promise<IssuedTokens> {
  const { config } = ctx;
  try {
    if (!verifier)
      throw new AuthenticationFailed('Social sign-in is not configured on this server.');
    const identity = await verifyIdpTokens(verifier, tokens, {
      now,
      idTokenMaxAgeSeconds: config.idTokenMaxAgeSeconds,
    });
    // Two first exchanges for one new identity race on the unique indexes: the loser retries and
    // finds the winner's user, so exactly one user is created.
    let user: User | undefined;
    for (let attempt = 0; !user; attempt++) {
      try {
        user = await ctx.db.transaction((tx) => findOrCreateUser(tx, identity, now));
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 2) throw error;
      }
    }
    if (!user.isActive) throw new AuthenticationFailed('This account is inactive.');
    return await openSession(ctx, user, client, now, 'social_exchange.success', ['fed']);
  } catch (error) {
    if (error instanceof AuthError)
      await emitAuthEvent(config, {
        type: 'social_exchange.failure',
        userId: null,
        sid: null,
        address: client.address,
        reason: error.code,
      });
    throw error;
  }
}
